def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from cart import Cart
c = Cart(tax_rate=0.2)
c.add("book", 10.0, qty=2)
eq(c.subtotal(), 20.0, "subtotal()")
eq(c.total(), 24.0, "total() with 20% tax")
d = Cart(0.075)
d.add("pen", 1.99, 3)
eq(d.subtotal(), 5.97, "subtotal()")
eq(d.total(), 6.42, "total() with 7.5% tax")
eq(Cart().total(), 0, "empty cart total()")
print("ok")
