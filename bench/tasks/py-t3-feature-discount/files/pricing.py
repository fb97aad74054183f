PRICES = {"apple": 0.5, "bread": 2.5, "milk": 1.2}


def price_of(item):
    return PRICES[item]
