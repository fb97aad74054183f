from temperature import to_fahrenheit

assert to_fahrenheit(100) == 212, to_fahrenheit(100)
print("ok")
