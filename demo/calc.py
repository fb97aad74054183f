"""A tiny demo project for smallcode: ask it to fix add()."""


def add(a, b):
    """Return the sum of a and b."""
    return a - b


def mean(values):
    """Return the arithmetic mean of a non-empty list."""
    return sum(values) / len(values)


if __name__ == "__main__":
    print(add(2, 3), mean([1, 2, 3]))
