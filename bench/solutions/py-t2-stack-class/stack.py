class Stack:
    """A LIFO stack."""

    def __init__(self):
        self._items = []

    def push(self, x):
        self._items.append(x)

    def pop(self):
        if not self._items:
            raise IndexError("empty stack")
        return self._items.pop()

    def peek(self):
        if not self._items:
            raise IndexError("empty stack")
        return self._items[-1]

    def is_empty(self):
        return not self._items

    def __len__(self):
        return len(self._items)
