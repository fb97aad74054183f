def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from cart import Cart
c = Cart()
eq(c.total(), 0, "empty total()")
c.add("apple", 0.5); c.add("bread", 2.25)
eq(c.total(), 2.75, "total() after apple + bread")
print("ok")
