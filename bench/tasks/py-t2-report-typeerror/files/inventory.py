ITEMS = [
    ("apples", 3, 0.5),
    ("pears", 2, 0.75),
]
