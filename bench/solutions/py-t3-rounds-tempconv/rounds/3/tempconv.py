UNITS = ("C", "F", "K")


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
    reading = reading.strip().upper()
    if len(reading) < 2 or reading[-1] not in UNITS:
        raise ValueError(f"unknown unit in {reading!r}")
    try:
        value = float(reading[:-1])
    except ValueError:
        raise ValueError(f"bad number in {reading!r}") from None
    unit = reading[-1]
    if target is None:
        target = "F" if unit == "C" else "C"
    if target not in UNITS:
        raise ValueError(f"unknown unit {target!r}")
    c = to_celsius(value, unit)
    if c < -273.15:
        raise ValueError("below absolute zero")
    return f"{from_celsius(c, target):.1f}{target}"
