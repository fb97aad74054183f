UNITS = ["KB", "MB", "GB", "TB"]


def human_size(n):
    """Format a byte count n for people."""
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    unit = 0
    while size >= 1024 and unit < len(UNITS) - 1:
        size /= 1024
        unit += 1
    return f"{size:.1f} {UNITS[unit]}"


def describe(name, n):
    return f"{name}: {human_size(n)}"
