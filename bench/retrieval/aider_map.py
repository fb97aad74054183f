"""Aider's repo map for `smallcode bench retrieval`, one JSON request per stdin line.

Request: {"root": DIR, "request": TEXT, "budgets": [N, ...]}
Reply:   {"maps": [TEXT, ...], "seconds": [S, ...]}   (one map per budget)

It runs what aider's coder does for a message with no files in the chat
(aider/coders/base_coder.py `get_repo_map`): mentioned file names and identifiers come from the
message, every file under ROOT is an "other" file, and RepoMap ranks and renders within the
budget. Two deliberate differences, so every method gets the same budget: no `max_context_window`
(aider multiplies the budget by `map_mul_no_files`, 8, when the chat has no files), and tokens are
counted with tiktoken's cl100k_base (the estimator smallcode uses), not a chat model's tokenizer.

Run with the Python of aider's venv (`scripts/deps.sh aider`).
"""

import importlib.util
import json
import os
import re
import sys
import time

# tiktoken downloads cl100k_base unless it finds it cached; litellm (an aider dependency) ships
# the file, so point tiktoken's cache there and run offline.
_litellm = importlib.util.find_spec("litellm").submodule_search_locations[0]
os.environ.setdefault(
    "TIKTOKEN_CACHE_DIR", os.path.join(_litellm, "litellm_core_utils", "tokenizers")
)

import tiktoken  # noqa: E402
from aider.repomap import RepoMap  # noqa: E402

OUT = sys.stdout
sys.stdout = sys.stderr  # aider's spinner and warnings must not mix with replies

ENC = tiktoken.get_encoding("cl100k_base")


class Model:
    def token_count(self, text):
        return len(ENC.encode(text, disallowed_special=()))


class IO:
    def read_text(self, fname, silent=False):
        try:
            with open(fname, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def tool_output(self, *a, **k):
        pass

    def tool_warning(self, *a, **k):
        pass

    def tool_error(self, *a, **k):
        pass


def files_under(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        out.extend(os.path.join(d, f) for f in files)
    return out


def file_mentions(text, rels):
    """aider's get_file_mentions with nothing in the chat."""
    words = {w.rstrip(",.!;:?").strip("\"'`*_") for w in text.split()}
    out = {r for r in rels if r in words}
    by_base = {}
    for r in rels:
        base = os.path.basename(r)
        if any(c in base for c in "/._-"):
            by_base.setdefault(base, []).append(r)
    for base, rs in by_base.items():
        if len(rs) == 1 and base in words:
            out.add(rs[0])
    return out


def ident_file_matches(idents, rels):
    """aider's get_ident_filename_matches."""
    stems = {}
    for r in rels:
        stem = os.path.splitext(os.path.basename(r))[0].lower()
        if len(stem) >= 5:
            stems.setdefault(stem, set()).add(r)
    out = set()
    for i in idents:
        if len(i) >= 5:
            out |= stems.get(i.lower(), set())
    return out


def answer(req):
    root = req["root"]
    files = files_under(root)
    rels = [os.path.relpath(f, root) for f in files]
    idents = set(re.split(r"\W+", req["request"]))
    fnames = file_mentions(req["request"], rels) | ident_file_matches(idents, rels)
    maps, secs = [], []
    for budget in req["budgets"]:
        rm = RepoMap(map_tokens=budget, root=root, main_model=Model(), io=IO(), refresh="always")
        t = time.time()
        text = rm.get_repo_map(set(), files, mentioned_fnames=fnames, mentioned_idents=idents)
        secs.append(time.time() - t)
        maps.append(text or "")
    return {"maps": maps, "seconds": secs}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(json.loads(line))
        except Exception as e:  # one bad case must not end the run
            reply = {"error": f"{type(e).__name__}: {e}"}
        OUT.write(json.dumps(reply) + "\n")
        OUT.flush()


if __name__ == "__main__":
    main()
