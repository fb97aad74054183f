from stats import average

assert average([1, 2, 3]) == 2, average([1, 2, 3])
print("ok")
