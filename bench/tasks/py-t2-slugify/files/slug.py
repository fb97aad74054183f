def slugify(title):
    """Turn a title into a URL slug (see the examples in the task)."""
    raise NotImplementedError
