def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from stats import avg, spread
eq(avg([]), 0.0, "avg([])")
eq(avg([1, 2, 3]), 2.0, "avg([1, 2, 3])")
eq(avg([5]), 5.0, "avg([5])")
eq(avg([1, 2]), 1.5, "avg([1, 2])")
eq(avg(()), 0.0, "avg(())")
eq(spread([3, 9, 1]), 8, "spread([3, 9, 1])")
print("ok")
