import datetime


def parse_date(text):
    """Parse "YYYY-MM-DD" into a datetime.date."""
    year, month, day = (int(p) for p in text.split("-"))
    return datetime.date(year, month, day)


def format_date(d):
    """Format a date as "3 Mar 2024"."""
    return f"{d.day} {d.strftime('%b')} {d.year}"


EVENTS = [("launch", "2024-03-03"), ("review", "2024-04-15")]


def agenda(events):
    lines = []
    for name, when in sorted(events, key=lambda e: parse_date(e[1])):
        lines.append(f"{format_date(parse_date(when))}: {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(agenda(EVENTS))
