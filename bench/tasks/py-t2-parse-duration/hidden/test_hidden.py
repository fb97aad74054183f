def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from duration import parse_duration
import timer
for text, want in [("1h30m", 5400), ("45s", 45), ("2h", 7200), ("1h2m3s", 3723), ("10m", 600),
                   ("0s", 0), ("100m", 6000), ("1h5s", 3605)]:
    eq(parse_duration(text), want, f"parse_duration({text!r})")
for bad in ("", "10x", "m5", "5", "1m1h", "h"):
    try:
        parse_duration(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"parse_duration({bad!r}) should raise ValueError")
eq(timer.describe("2m"), "2m is 120 seconds", "timer.describe('2m')")
print("ok")
