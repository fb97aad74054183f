class Stack:
    """A LIFO stack."""

    def __init__(self):
        self._items = []

    def push(self, x):
        pass

    def pop(self):
        pass

    def peek(self):
        pass

    def is_empty(self):
        pass

    def __len__(self):
        pass
