#!/usr/bin/env bash
# Rebuilds bench/retrieval/cases.jsonl from pinned revisions of public repositories
# (doc/retrieval.md). The repositories are not part of smallcode: give their git directories
# (bare mirrors are fine) under $SMALLCODE_MIRRORS as owner+name/repo, owner+name.git or
# owner/name.git, e.g. from `git clone --mirror https://github.com/OWNER/NAME OWNER+NAME.git`.
#
#   SMALLCODE_MIRRORS=/work/.mirror bench/retrieval/mine.sh [smallcode-bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH="${1:-target/release/smallcode-bench}"
MIRRORS="${SMALLCODE_MIRRORS:-/work/.mirror}"
OUT=bench/retrieval/cases.jsonl
MAX=25

# owner/name  revision (history is read backwards from here)
REPOS=(
  "encode/httpx            ae1b9f66238f75ced3ced5e4485408435de10768"
  "sharkdp/fd              ee20f426ddf338ac7ead5c5f00ea49258005caaf"
  "junegunn/fzf            956562daaa82ddf55ea8f7aeab56883377b742c6"
  "jhy/jsoup               46b620860af930eedc193a705eaf7cea5aec89a6"
  "jqlang/jq               579e6f76cffd7643ba4002a2c3618a5ea710589a"
  "ninja-build/ninja       fc6bb98eee5a9710055cb9fe74375a6523831e28"
  "lewis6991/gitsigns.nvim 31d6fb2d618bca1482b9f274751ead5f03461408"
  "tj/commander.js         ba6d13ddb4243e5913367734f8c159089ffe7834"
  "sindresorhus/ky         3419113b48e034fdcf8fa6bd3be3da7b3d0d758f"
)

rm -f "$OUT"
for row in "${REPOS[@]}"; do
  read -r repo rev <<<"$row"
  flat="${repo/\//+}"
  dir=""
  for d in "$MIRRORS/$flat/repo" "$MIRRORS/$flat.git" "$MIRRORS/$repo.git"; do
    if [ -f "$d/HEAD" ]; then dir="$d"; break; fi
  done
  if [ -z "$dir" ]; then
    echo "mine.sh: no mirror for $repo under $MIRRORS: skipped" >&2
    continue
  fi
  "$BENCH" retrieval mine --repo "$dir" --name "$repo" --rev "$rev" --max "$MAX" --out "$OUT"
done
