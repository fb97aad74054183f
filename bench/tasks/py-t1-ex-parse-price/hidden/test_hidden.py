def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from prices import parse_price, total
eq(parse_price("$4.50"), 4.5, "parse_price('$4.50')")
eq(parse_price("$1,234.50"), 1234.5, "parse_price('$1,234.50')")
eq(parse_price("0.99"), 0.99, "parse_price('0.99')")
eq(parse_price(" $12 "), 12.0, "parse_price(' $12 ')")
eq(parse_price("$1,000,000"), 1000000.0, "parse_price('$1,000,000')")
eq(total(["$1.25", "$2.50"]), 3.75, "total(['$1.25', '$2.50'])")
print("ok")
