import re


def slugify(title):
    """Turn a title into a URL slug (see the examples in the task)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
