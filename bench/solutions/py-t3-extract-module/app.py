from dates import format_date, parse_date

EVENTS = [("launch", "2024-03-03"), ("review", "2024-04-15")]


def agenda(events):
    lines = []
    for name, when in sorted(events, key=lambda e: parse_date(e[1])):
        lines.append(f"{format_date(parse_date(when))}: {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(agenda(EVENTS))
