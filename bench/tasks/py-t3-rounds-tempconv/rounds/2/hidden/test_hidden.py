def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from tempconv import convert
eq(convert("20.25C", "K"), "293.4K", "convert('20.25C', 'K')")
eq(convert("310.15K", "C"), "37.0C", "convert('310.15K', 'C')")
eq(convert("310.15K"), "37.0C", "convert('310.15K')")
eq(convert("373.15K", "F"), "212.0F", "convert('373.15K', 'F')")
eq(convert("20C"), "68.0F", "convert('20C')")
eq(convert("20C", "F"), "68.0F", "convert('20C', 'F')")
eq(convert("50F", "C"), "10.0C", "convert('50F', 'C')")
eq(convert("10C", "C"), "10.0C", "convert('10C', 'C')")
eq(convert("-40.5F", "K"), "232.9K", "convert('-40.5F', 'K')")
print("ok")
