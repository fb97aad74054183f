from maxval import maximum

assert maximum([3, 9, 4]) == 9
assert maximum([-5, -2, -7]) == -2, maximum([-5, -2, -7])
print("ok")
