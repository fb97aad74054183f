import datetime


def parse_date(text):
    """Parse "YYYY-MM-DD" into a datetime.date."""
    year, month, day = (int(p) for p in text.split("-"))
    return datetime.date(year, month, day)


def format_date(d):
    """Format a date as "3 Mar 2024"."""
    return f"{d.day} {d.strftime('%b')} {d.year}"
