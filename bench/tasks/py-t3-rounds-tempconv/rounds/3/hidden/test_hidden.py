def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from tempconv import convert
eq(convert(" 20c "), "68.0F", "convert(' 20c ')")
eq(convert("300k", "C"), "26.9C", "convert('300k', 'C')")
eq(convert("68F"), "20.0C", "convert('68F')")
for args in (("20X",), ("20C", "Q"), ("abcC",), ("C",), ("",), ("-300C",), ("-5K",), ("-500F", "C")):
    try:
        convert(*args)
    except ValueError:
        pass
    else:
        raise AssertionError(f"convert{args!r} should raise ValueError")
print("ok")
