from users import find_user


def greeting(uid):
    user = find_user(uid)
    if user is None:
        return "Hello, guest!"
    return "Hello, " + user.name + "!"


if __name__ == "__main__":
    for uid in (1, 2, 3):
        print(greeting(uid))
