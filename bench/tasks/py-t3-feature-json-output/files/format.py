def format_text(rows):
    return "\n".join(f"{name:<8}{avg:>6.1f}  {grade}" for name, avg, grade in rows)
