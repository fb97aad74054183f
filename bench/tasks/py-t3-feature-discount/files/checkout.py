import sys

from cart import Cart


def main(argv):
    cart = Cart()
    cart.add("apple", 4)
    cart.add("bread")
    cart.add("milk", 2)
    print(f"Total: {cart.total():.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
