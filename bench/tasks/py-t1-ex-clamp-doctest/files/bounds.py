def clamp(x, lo, hi):
    """Limit x to the range [lo, hi].

    >>> clamp(15, 0, 10)
    10
    >>> clamp(-3, 0, 10)
    0
    >>> clamp(4, 0, 10)
    4
    """
    return min(lo, max(x, hi))
