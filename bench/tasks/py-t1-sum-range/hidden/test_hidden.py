def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from series import sum_to
eq(sum_to(4), 10, "sum_to(4)")
eq(sum_to(1), 1, "sum_to(1)")
eq(sum_to(0), 0, "sum_to(0)")
eq(sum_to(100), 5050, "sum_to(100)")
print("ok")
