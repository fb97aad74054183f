from lists import last

print(last([1, 2, 3]))
