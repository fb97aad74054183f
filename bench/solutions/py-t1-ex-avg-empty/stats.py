def avg(xs):
    """Arithmetic mean of the numbers in xs."""
    if not xs:
        return 0.0
    return sum(xs) / len(xs)


def spread(xs):
    """Largest minus smallest value (0 for an empty list)."""
    if not xs:
        return 0
    return max(xs) - min(xs)
