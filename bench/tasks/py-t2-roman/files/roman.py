def to_roman(n):
    """Convert 1..3999 to a Roman numeral; ValueError otherwise."""
    pass
