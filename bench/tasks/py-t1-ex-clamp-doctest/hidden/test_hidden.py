def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import doctest
import bounds
from bounds import clamp
failed, _ = doctest.testmod(bounds)
if failed:
    raise AssertionError(f"{failed} docstring example(s) fail")
for args, want in [((15, 0, 10), 10), ((-3, 0, 10), 0), ((4, 0, 10), 4), ((0, 0, 10), 0),
                   ((10, 0, 10), 10), ((7, -5, 5), 5), ((-7, -5, 5), -5), ((2.5, 1, 3), 2.5)]:
    eq(clamp(*args), want, f"clamp{args}")
print("ok")
