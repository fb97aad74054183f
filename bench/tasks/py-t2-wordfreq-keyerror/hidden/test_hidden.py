def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
from wordfreq import count_words, top
eq(count_words("a b a"), {"a": 2, "b": 1}, "count_words('a b a')")
eq(count_words("The the THE"), {"the": 3}, "count_words('The the THE')")
eq(count_words(""), {}, "count_words('')")
eq(top(count_words("x y y z z z"), 2), [("z", 3), ("y", 2)], "top")
out = subprocess.run([sys.executable, "wordfreq.py", "sample.txt"], capture_output=True, text=True)
eq(out.stdout, "the 3\nsat 2\ncat 1\n", "wordfreq.py sample.txt output")
print("ok")
