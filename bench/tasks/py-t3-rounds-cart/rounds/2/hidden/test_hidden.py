def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from cart import Cart
c = Cart()
c.add("apple", 0.5, qty=4); c.add("apple", 0.5); c.add("milk", 1.2)
eq(c.count(), 6, "count()")
eq(c.total(), 3.7, "total()")
c.remove("milk")
eq(c.count(), 5, "count() after remove('milk')")
eq(c.total(), 2.5, "total() after remove('milk')")
try:
    c.remove("milk")
except KeyError:
    pass
else:
    raise AssertionError("remove of an absent item should raise KeyError")
c.remove("apple")
eq(c.total(), 2.0, "total() after remove('apple')")
print("ok")
