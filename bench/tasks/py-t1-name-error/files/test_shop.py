from shop import total_price

print(total_price([3, 4, 5]))
