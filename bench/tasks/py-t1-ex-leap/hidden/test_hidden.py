def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from dates import is_leap, days_in_month
for y, want in [(2000, True), (1900, False), (2024, True), (2023, False), (2100, False), (2400, True), (1600, True), (4, True)]:
    eq(is_leap(y), want, f"is_leap({y})")
eq(days_in_month(2000, 2), 29, "days_in_month(2000, 2)")
eq(days_in_month(1900, 2), 28, "days_in_month(1900, 2)")
eq(days_in_month(2023, 12), 31, "days_in_month(2023, 12)")
print("ok")
