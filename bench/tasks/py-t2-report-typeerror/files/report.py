from inventory import ITEMS


def line(name, qty, price):
    return name + ": " + qty + " x " + format(price, ".2f") + " = " + format(qty * price, ".2f")


def report(items):
    return "\n".join(line(n, q, p) for n, q, p in items)


if __name__ == "__main__":
    print(report(ITEMS))
