def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import doctest
import stats
from stats import median
failed, _ = doctest.testmod(stats)
if failed:
    raise AssertionError(f"{failed} docstring example(s) fail")
eq(median([3, 1, 2]), 2, "median([3, 1, 2])")
eq(median([4, 1, 3, 2]), 2.5, "median([4, 1, 3, 2])")
eq(median([7]), 7, "median([7])")
eq(median([9, 8, 7, 1, 2]), 7, "median([9, 8, 7, 1, 2])")
eq(median([10, -10]), 0.0, "median([10, -10])")
xs = [5, 3, 4]
median(xs)
eq(xs, [5, 3, 4], "median must not reorder its argument")
print("ok")
