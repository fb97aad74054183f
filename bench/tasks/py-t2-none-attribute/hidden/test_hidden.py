def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
from main import greeting
from users import find_user
eq(greeting(1), "Hello, Ada!", "greeting(1)")
eq(greeting(3), "Hello, guest!", "greeting(3)")
eq(find_user(99), None, "find_user(99) still returns None")
out = subprocess.run([sys.executable, "main.py"], capture_output=True, text=True)
eq(out.stdout, "Hello, Ada!\nHello, Linus!\nHello, guest!\n", "python3 main.py")
print("ok")
