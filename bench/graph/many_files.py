#!/usr/bin/env python3
"""Writes a synthetic project of N small Python files for the code graph's many-files figure.

Usage: many_files.py N DIR

Files go 1,000 to a folder (pkg000/mod0000.py ...). Each has a module constant, a class with two
methods and two functions; every function calls one in the previous module of its folder (an
import edge and a call edge per file), so the graph has N * 6 symbols and real edges, not just
parse work. The output is deterministic: the same N gives the same bytes.
"""

import os
import sys


def module(folder: int, index: int) -> str:
    prev = index - 1 if index > 0 else None
    lines = []
    if prev is not None:
        lines.append(f"from pkg{folder:03d}.mod{prev:04d} import helper_{folder}_{prev}")
    lines.append("")
    lines.append(f"LIMIT_{folder}_{index} = {index % 97}")
    lines.append("")
    lines.append("")
    lines.append(f"class Worker{folder}_{index}:")
    lines.append(f'    """Does the work of module {index} in package {folder}."""')
    lines.append("")
    lines.append("    def run(self, items):")
    lines.append("        total = 0")
    lines.append("        for item in items:")
    lines.append(f"            total += helper_{folder}_{index}(item)")
    lines.append("        return total")
    lines.append("")
    lines.append("    def reset(self):")
    lines.append("        self.total = 0")
    lines.append("")
    lines.append("")
    lines.append(f"def helper_{folder}_{index}(value):")
    lines.append(f"    return value * 2 + LIMIT_{folder}_{index}")
    lines.append("")
    lines.append("")
    lines.append(f"def entry_{folder}_{index}(values):")
    call = f"helper_{folder}_{prev}(v)" if prev is not None else "v"
    lines.append(f"    return [Worker{folder}_{index}().run([{call}]) for v in values]")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: many_files.py N DIR")
    n, root = int(sys.argv[1]), sys.argv[2]
    for i in range(n):
        folder, index = divmod(i, 1000)
        d = os.path.join(root, f"pkg{folder:03d}")
        if index == 0:
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, "__init__.py"), "w").close()
        with open(os.path.join(d, f"mod{index:04d}.py"), "w") as f:
            f.write(module(folder, index))


if __name__ == "__main__":
    main()
