class Cart:
    """A shopping cart."""

    def __init__(self):
        self.prices = {}
        self.qty = {}

    def add(self, name, price, qty=1):
        self.prices[name] = price
        self.qty[name] = self.qty.get(name, 0) + qty

    def remove(self, name):
        if name not in self.qty:
            raise KeyError(name)
        self.qty[name] -= 1
        if self.qty[name] == 0:
            del self.qty[name]
            del self.prices[name]

    def count(self):
        return sum(self.qty.values())

    def total(self):
        return round(sum(self.prices[n] * q for n, q in self.qty.items()), 2)
