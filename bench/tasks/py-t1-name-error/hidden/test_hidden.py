def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from shop import total_price
eq(total_price([3, 4, 5]), 12, "total_price([3, 4, 5])")
eq(total_price([]), 0, "total_price([])")
eq(total_price([2.5]), 2.5, "total_price([2.5])")
print("ok")
