def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from greet import greet
eq(greet("Ada"), "Hello, Ada!", "greet('Ada')")
eq(greet(""), "Hello, !", "greet('')")
print("ok")
