def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from calc import add, mul
eq(add(2, 3), 5, "add(2, 3)")
eq(add(-1, 1), 0, "add(-1, 1)")
eq(add(0, 0), 0, "add(0, 0)")
eq(add(10, -4), 6, "add(10, -4)")
eq(mul(3, 4), 12, "mul(3, 4)")
print("ok")
