def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from stats import average
eq(average([1, 2, 3]), 2, "average([1, 2, 3])")
eq(average([5]), 5, "average([5])")
eq(average([1, 2]), 1.5, "average([1, 2])")
print("ok")
