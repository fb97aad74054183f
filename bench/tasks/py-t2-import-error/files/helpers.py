def to_int(text, default=None):
    """Parse text as an int; return default if it is not a number."""
    try:
        return int(text)
    except ValueError:
        return default
