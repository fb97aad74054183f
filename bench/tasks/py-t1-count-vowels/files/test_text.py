from text import count_vowels

assert count_vowels("Umbrella") == 3, count_vowels("Umbrella")
print("ok")
