PRICES = {"apple": 0.5, "bread": 2.5, "milk": 1.2}
DISCOUNTS = {"SAVE10": 10, "HALF": 50}


def price_of(item):
    return PRICES[item]


def apply_discount(amount, code):
    if code is None:
        return round(amount, 2)
    if code not in DISCOUNTS:
        raise ValueError(f"unknown discount code: {code}")
    return round(amount * (100 - DISCOUNTS[code]) / 100, 2)
