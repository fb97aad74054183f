class Cart:
    """A shopping cart."""

    def __init__(self):
        pass

    def add(self, name, price):
        pass

    def total(self):
        pass
