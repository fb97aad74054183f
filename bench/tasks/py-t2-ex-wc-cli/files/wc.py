import sys


def count(text):
    """Return (lines, words) for text; words are separated by any whitespace."""
    raise NotImplementedError


def main(argv):
    # TODO: print the line and word counts of the file named in argv[1]
    pass


if __name__ == "__main__":
    main(sys.argv)
