from people import is_adult

assert is_adult(18), "an 18-year-old is an adult"
assert not is_adult(17)
print("ok")
