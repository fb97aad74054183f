import signal

from search import binary_search

def too_slow(*_):
    raise TimeoutError("binary_search did not return within 2 s (infinite loop?)")


signal.signal(signal.SIGALRM, too_slow)
signal.alarm(2)
cases = [([1, 3, 5, 7], 7, 3), ([1, 3, 5, 7], 1, 0), ([2], 2, 0), ([1, 3, 5], 4, -1), ([], 1, -1)]
for items, target, want in cases:
    got = binary_search(items, target)
    assert got == want, f"binary_search({items}, {target}) = {got}, expected {want}"
print("ok")
