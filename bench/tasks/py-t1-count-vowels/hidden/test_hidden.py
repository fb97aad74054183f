def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from text import count_vowels
eq(count_vowels("Umbrella"), 3, "count_vowels('Umbrella')")
eq(count_vowels("sky"), 0, "count_vowels('sky')")
eq(count_vowels("AEIOU"), 5, "count_vowels('AEIOU')")
eq(count_vowels("queue"), 4, "count_vowels('queue')")
print("ok")
