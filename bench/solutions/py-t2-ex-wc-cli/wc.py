import sys


def count(text):
    """Return (lines, words) for text; words are separated by any whitespace."""
    return len(text.splitlines()), len(text.split())


def main(argv):
    with open(argv[1]) as f:
        lines, words = count(f.read())
    print(lines, words)


if __name__ == "__main__":
    main(sys.argv)
