import sys

from cart import Cart


def main(argv):
    cart = Cart()
    cart.add("apple", 4)
    cart.add("bread")
    cart.add("milk", 2)
    code = argv[0] if argv else None
    print(f"Total: {cart.total(code):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
