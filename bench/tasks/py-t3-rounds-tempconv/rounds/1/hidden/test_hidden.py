def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from tempconv import convert
eq(convert("20C"), "68.0F", "convert('20C')")
eq(convert("68F"), "20.0C", "convert('68F')")
eq(convert("-40C"), "-40.0F", "convert('-40C')")
eq(convert("100C"), "212.0F", "convert('100C')")
eq(convert("0F"), "-17.8C", "convert('0F')")
print("ok")
