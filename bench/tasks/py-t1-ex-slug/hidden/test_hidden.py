def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from slug import slug
eq(slug("Hi There"), "hi-there", "slug('Hi There')")
eq(slug("ONE two  Three"), "one-two-three", "slug('ONE two  Three')")
eq(slug("Python"), "python", "slug('Python')")
eq(slug("  a   B "), "a-b", "slug('  a   B ')")
eq(slug(""), "", "slug('')")
print("ok")
