def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import datetime, inspect, subprocess, sys
import dates
import app
eq(dates.parse_date("2024-03-03"), datetime.date(2024, 3, 3), "dates.parse_date")
eq(dates.format_date(datetime.date(2024, 12, 25)), "25 Dec 2024", "dates.format_date")
eq(inspect.getmodule(app.parse_date).__name__, "dates", "app.parse_date must come from dates.py")
eq(inspect.getmodule(app.format_date).__name__, "dates", "app.format_date must come from dates.py")
eq(app.agenda([("b", "2024-01-02"), ("a", "2023-05-06")]), "6 May 2023: a\n2 Jan 2024: b", "app.agenda")
out = subprocess.run([sys.executable, "app.py"], capture_output=True, text=True)
eq(out.stdout, "3 Mar 2024: launch\n15 Apr 2024: review\n", "python3 app.py")
print("ok")
