"""Checks for calc.py: `python3 test_calc.py` (smallcode runs it after every edit)."""
from calc import add, mean

assert add(2, 3) == 5, add(2, 3)
assert mean([1, 2, 3]) == 2, mean([1, 2, 3])
print("ok")
