def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from lists import last
eq(last([1, 2, 3]), 3, "last([1, 2, 3])")
eq(last(["a"]), "a", "last(['a'])")
eq(last([[1], [2]]), [2], "last([[1], [2]])")
print("ok")
