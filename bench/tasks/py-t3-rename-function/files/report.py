import orders
from invoice import invoice_text

ORDERS = {"acme": [(2, 10.0), (1, 5.0)], "globex": [(3, 1.5)]}


def grand_total(all_orders):
    return round(sum(orders.calc_total(lines) for lines in all_orders.values()), 2)


if __name__ == "__main__":
    for name, lines in ORDERS.items():
        print(invoice_text(name, lines))
    print(f"Total: {grand_total(ORDERS):.2f}")
