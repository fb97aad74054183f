def total_price(prices):
    """Return the sum of all prices."""
    total = 0
    for p in prices:
        total = total + p
    return totl
