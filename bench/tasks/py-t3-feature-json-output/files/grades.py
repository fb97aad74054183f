import sys

from format import format_text
from scores import load_scores, summarize


def main(argv):
    path = argv[0]
    rows = summarize(load_scores(path))
    print(format_text(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
