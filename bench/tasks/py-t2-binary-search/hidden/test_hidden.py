def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import signal
from search import binary_search
signal.alarm(3)
data = list(range(0, 200, 3))
for i, v in enumerate(data):
    eq(binary_search(data, v), i, f"binary_search(data, {v})")
for v in (-1, 1, 2, 200, 1000):
    eq(binary_search(data, v), -1, f"binary_search(data, {v})")
eq(binary_search([], 5), -1, "binary_search([], 5)")
eq(binary_search([2], 2), 0, "binary_search([2], 2)")
eq(binary_search([1, 3, 5, 7], 7), 3, "binary_search([1, 3, 5, 7], 7)")
print("ok")
