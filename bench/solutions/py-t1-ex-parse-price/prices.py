def parse_price(text):
    """Price string like '$1,234.50' -> 1234.5 (dollar sign and thousands commas removed)."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    return float(cleaned)


def total(texts):
    return round(sum(parse_price(t) for t in texts), 2)
