def average(numbers):
    """Return the arithmetic mean of a non-empty list."""
    total = sum(numbers)
    result = total / len(numbers)
    return result
