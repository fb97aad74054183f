from mathx import divide

assert divide(10, 2) == 5, divide(10, 2)
print("ok")
