def eq(got, want, what=""):
    if got != want or (isinstance(want, (bool, str)) and type(got) is not type(want)):
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from sizes import human_size, describe
for n, want in [(512, "512 B"), (1536, "1.5 KB"), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"),
                (1100, "1.1 KB"), (1048576, "1.0 MB"), (1536 * 1024, "1.5 MB"), (123456789, "117.7 MB"),
                (5 * 1024 ** 3, "5.0 GB"), (2 ** 40, "1.0 TB"), (3 * 2 ** 40, "3.0 TB")]:
    eq(human_size(n), want, f"human_size({n})")
eq(describe("disk", 2048), "disk: 2.0 KB", "describe('disk', 2048)")
print("ok")
