def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import json, subprocess, sys
from format import format_json, format_text
eq(json.loads(format_json([("z", 71.0, "C")])), [{"name": "z", "average": 71.0, "grade": "C"}], "format_json")
run = lambda *a: subprocess.run([sys.executable, "grades.py", *a], capture_output=True, text=True)
text = run("scores.csv").stdout
eq(text, "ada       91.7  A\nbob       72.3  C\ncy        56.3  F\n", "python3 grades.py scores.csv")
out = run("--json", "scores.csv").stdout
eq(json.loads(out), [{"name": "ada", "average": 91.7, "grade": "A"},
                     {"name": "bob", "average": 72.3, "grade": "C"},
                     {"name": "cy", "average": 56.3, "grade": "F"}], "python3 grades.py --json scores.csv")
with open("other.csv", "w") as f:
    f.write("q,80\n")
eq(json.loads(run("--json", "other.csv").stdout), [{"name": "q", "average": 80.0, "grade": "B"}], "--json other.csv")
print("ok")
