import sys


def count_words(text):
    """Map each lowercased word to how often it occurs."""
    counts = {}
    for word in text.lower().split():
        counts[word] += 1
    return counts


def top(counts, n):
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        for word, c in top(count_words(f.read()), 3):
            print(word, c)
