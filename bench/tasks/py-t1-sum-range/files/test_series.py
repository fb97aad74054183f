from series import sum_to

assert sum_to(4) == 10, f"sum_to(4) returned {sum_to(4)}"
print("ok")
