from pricing import apply_discount, price_of


class Cart:
    def __init__(self):
        self.items = []

    def add(self, item, qty=1):
        self.items.append((item, qty))

    def total(self, code=None):
        return apply_discount(sum(price_of(i) * q for i, q in self.items), code)
