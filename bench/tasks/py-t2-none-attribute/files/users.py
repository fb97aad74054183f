class User:
    def __init__(self, uid, name):
        self.uid = uid
        self.name = name


USERS = {1: User(1, "Ada"), 2: User(2, "Linus")}


def find_user(uid):
    """Return the User with this id, or None."""
    return USERS.get(uid)
