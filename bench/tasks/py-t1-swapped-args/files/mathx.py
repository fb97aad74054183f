def divide(a, b):
    """Return a divided by b."""
    return b / a
