def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from slug import slugify
eq(slugify("Hello, World!"), "hello-world", "slugify('Hello, World!')")
eq(slugify("  Rust & Go -- 2024 "), "rust-go-2024", "slugify('  Rust & Go -- 2024 ')")
eq(slugify("---"), "", "slugify('---')")
eq(slugify("already-a-slug"), "already-a-slug", "slugify('already-a-slug')")
eq(slugify("CamelCase Title"), "camelcase-title", "slugify('CamelCase Title')")
eq(slugify(""), "", "slugify('')")
print("ok")
