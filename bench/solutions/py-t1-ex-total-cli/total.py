import csv
import sys


def order_total(path):
    """Sum of quantity * price over the rows of an orders CSV (header: item,quantity,price)."""
    total = 0
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for item, quantity, price in rows:
            total += int(quantity) * int(price)
    return total


if __name__ == "__main__":
    print(order_total(sys.argv[1]))
