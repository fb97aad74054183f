TAX_RATE = 0.2


def order_total(lines):
    """Total of (qty, unit_price) lines, tax included, rounded to cents."""
    net = sum(qty * price for qty, price in lines)
    return round(net * (1 + TAX_RATE), 2)
