class Cart:
    """A shopping cart."""

    def __init__(self):
        self.prices = {}

    def add(self, name, price):
        self.prices[name] = price

    def total(self):
        return round(sum(self.prices.values()), 2)
