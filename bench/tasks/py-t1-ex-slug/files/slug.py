def slug(title):
    """URL slug for a title: the words, lowercased, joined with '-'."""
    return "-".join(title.split())
