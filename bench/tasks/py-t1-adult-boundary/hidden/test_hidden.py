def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from people import is_adult
eq(is_adult(18), True, "is_adult(18)")
eq(is_adult(17), False, "is_adult(17)")
eq(is_adult(40), True, "is_adult(40)")
eq(is_adult(0), False, "is_adult(0)")
print("ok")
