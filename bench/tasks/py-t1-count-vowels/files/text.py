VOWELS = "aeio"


def count_vowels(word):
    """Count the vowels (a, e, i, o, u) in word, ignoring case."""
    return sum(1 for ch in word.lower() if ch in VOWELS)
