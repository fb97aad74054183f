def convert(reading):
    """Convert "20C" to "68.0F" and "68F" to "20.0C"."""
    value, unit = float(reading[:-1]), reading[-1]
    if unit == "C":
        return f"{value * 9 / 5 + 32:.1f}F"
    return f"{(value - 32) * 5 / 9:.1f}C"
