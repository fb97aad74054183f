import sys

from format import format_json, format_text
from scores import load_scores, summarize


def main(argv):
    as_json = "--json" in argv
    path = [a for a in argv if a != "--json"][0]
    rows = summarize(load_scores(path))
    print(format_json(rows) if as_json else format_text(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
