ADULT_AGE = 18


def is_adult(age):
    """True if someone of this age is an adult (18 or older)."""
    return age >= ADULT_AGE
