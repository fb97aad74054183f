import sys

from helpers import to_int


def total(args):
    return sum(n for n in (to_int(a) for a in args) if n is not None)


if __name__ == "__main__":
    print(total(sys.argv[1:]))
