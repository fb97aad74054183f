UNITS = ["KB", "MB", "GB", "TB"]


def human_size(n):
    """Format a byte count n for people."""
    raise NotImplementedError


def describe(name, n):
    return f"{name}: {human_size(n)}"
