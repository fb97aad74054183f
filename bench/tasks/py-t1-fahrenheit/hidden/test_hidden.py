def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from temperature import to_fahrenheit
eq(to_fahrenheit(100), 212, "to_fahrenheit(100)")
eq(to_fahrenheit(0), 32, "to_fahrenheit(0)")
eq(to_fahrenheit(-40), -40, "to_fahrenheit(-40)")
assert abs(to_fahrenheit(37) - 98.6) < 1e-9, to_fahrenheit(37)
print("ok")
