def maximum(values):
    """Return the largest value in a non-empty list."""
    best = 0
    for v in values:
        if v > best:
            best = v
    return best
