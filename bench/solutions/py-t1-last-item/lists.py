def last(items):
    """Return the last element of a non-empty list."""
    return items[len(items) - 1]
