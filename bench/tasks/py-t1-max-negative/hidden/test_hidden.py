def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from maxval import maximum
eq(maximum([3, 9, 4]), 9, "maximum([3, 9, 4])")
eq(maximum([-5, -2, -7]), -2, "maximum([-5, -2, -7])")
eq(maximum([-1]), -1, "maximum([-1])")
eq(maximum([0, -3]), 0, "maximum([0, -3])")
print("ok")
