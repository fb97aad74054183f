import json


def format_text(rows):
    return "\n".join(f"{name:<8}{avg:>6.1f}  {grade}" for name, avg, grade in rows)


def format_json(rows):
    return json.dumps([{"name": n, "average": a, "grade": g} for n, a, g in rows])
