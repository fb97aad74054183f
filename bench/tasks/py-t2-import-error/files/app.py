import sys

from helpers import parse_int


def total(args):
    return sum(n for n in (parse_int(a) for a in args) if n is not None)


if __name__ == "__main__":
    print(total(sys.argv[1:]))
