from duration import parse_duration


def describe(text):
    return f"{text} is {parse_duration(text)} seconds"


if __name__ == "__main__":
    import sys
    print(describe(sys.argv[1]))
