def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from roman import to_roman
for n, r in [(1, "I"), (3, "III"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (58, "LVIII"),
             (90, "XC"), (400, "CD"), (1994, "MCMXCIV"), (2024, "MMXXIV"), (3999, "MMMCMXCIX")]:
    eq(to_roman(n), r, f"to_roman({n})")
for bad in (0, -1, 4000):
    try:
        to_roman(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"to_roman({bad}) should raise ValueError")
print("ok")
