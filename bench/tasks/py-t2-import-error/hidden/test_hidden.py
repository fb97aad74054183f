def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
from app import total
eq(total(["42", "abc", "7"]), 49, "total(['42', 'abc', '7'])")
eq(total([]), 0, "total([])")
eq(total(["-3", "3", "x"]), 0, "total(['-3', '3', 'x'])")
out = subprocess.run([sys.executable, "app.py", "42", "abc", "7"], capture_output=True, text=True)
eq(out.stdout, "49\n", "python3 app.py 42 abc 7")
print("ok")
