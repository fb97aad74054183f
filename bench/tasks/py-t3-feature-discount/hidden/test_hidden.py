def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
from pricing import DISCOUNTS, apply_discount
from cart import Cart
eq(DISCOUNTS.get("SAVE10"), 10, "DISCOUNTS['SAVE10']")
eq(DISCOUNTS.get("HALF"), 50, "DISCOUNTS['HALF']")
eq(apply_discount(100, "SAVE10"), 90, "apply_discount(100, 'SAVE10')")
eq(apply_discount(9.98, "HALF"), 4.99, "apply_discount(9.98, 'HALF')")
eq(apply_discount(7.5, None), 7.5, "apply_discount(7.5, None)")
try:
    apply_discount(10, "BOGUS")
except ValueError:
    pass
else:
    raise AssertionError("apply_discount(10, 'BOGUS') should raise ValueError")
c = Cart(); c.add("bread", 2)
eq(c.total(), 5.0, "Cart.total()")
eq(c.total("HALF"), 2.5, "Cart.total('HALF')")
eq(c.total(code="SAVE10"), 4.5, "Cart.total(code='SAVE10')")
run = lambda *a: subprocess.run([sys.executable, "checkout.py", *a], capture_output=True, text=True).stdout
eq(run(), "Total: 6.90\n", "python3 checkout.py")
eq(run("SAVE10"), "Total: 6.21\n", "python3 checkout.py SAVE10")
eq(run("HALF"), "Total: 3.45\n", "python3 checkout.py HALF")
print("ok")
