def to_celsius(value, unit):
    if unit == "C":
        return value
    if unit == "F":
        return (value - 32) * 5 / 9
    return value - 273.15


def from_celsius(c, unit):
    if unit == "C":
        return c
    if unit == "F":
        return c * 9 / 5 + 32
    return c + 273.15


def convert(reading, target=None):
    """Convert a reading like "20C" to the target unit (C, F or K)."""
    value, unit = float(reading[:-1]), reading[-1]
    if target is None:
        target = "F" if unit == "C" else "C"
    return f"{from_celsius(to_celsius(value, unit), target):.1f}{target}"
