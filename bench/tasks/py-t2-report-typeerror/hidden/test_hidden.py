def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
from report import line, report
eq(line("apples", 3, 0.5), "apples: 3 x 0.50 = 1.50", "line('apples', 3, 0.5)")
eq(line("x", 10, 1.25), "x: 10 x 1.25 = 12.50", "line('x', 10, 1.25)")
eq(report([("a", 1, 1.0), ("b", 2, 2.0)]), "a: 1 x 1.00 = 1.00\nb: 2 x 2.00 = 4.00", "report")
out = subprocess.run([sys.executable, "report.py"], capture_output=True, text=True)
eq(out.stdout, "apples: 3 x 0.50 = 1.50\npears: 2 x 0.75 = 1.50\n", "python3 report.py")
print("ok")
