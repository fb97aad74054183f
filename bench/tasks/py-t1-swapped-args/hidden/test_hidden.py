def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from mathx import divide
eq(divide(10, 2), 5, "divide(10, 2)")
eq(divide(1, 4), 0.25, "divide(1, 4)")
eq(divide(-9, 3), -3, "divide(-9, 3)")
print("ok")
