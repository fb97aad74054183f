#!/usr/bin/env bash
# Crash-safe landing, the long run (doc/reliability.md, "Crash-safe landing"): `kill -9` of the
# Rust process at random moments while a change set lands, KILLS times (default 120) on each
# Neovim the tests run on. Prints the outcome counts (fully changed / untouched / torn) and keeps
# one line per kill in target/kill-loop/kills-<version>.tsv. The test suite runs the same loop
# with 10 kills (tests/it/e2e_crash.rs).
#
#   scripts/kill_loop.sh [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."

kills="${1:-120}"
seed="${2:-$(date +%s)}"
scripts/deps.sh nvim nvim011
eval "$(scripts/deps.sh paths)"
export SMALLCODE_CACHE
out=$(realpath -m "${CARGO_TARGET_DIR:-target}/kill-loop")
mkdir -p "$out"

cargo build --tests --quiet
status=0
for nv in "$SMALLCODE_NVIM" "$SMALLCODE_NVIM011"; do
  version=$("$nv" --version | head -n1 | sed 's/^NVIM //')
  echo "[kill-loop] $kills kills on Neovim $version (seed $seed)"
  if ! SMALLCODE_NVIM="$nv" SMALLCODE_KILLS="$kills" SMALLCODE_KILL_SEED="$seed" \
    SMALLCODE_KILL_LOG="$out/kills-$version.tsv" \
    cargo test --quiet --test it e2e_crash -- --nocapture >"$out/run-$version.log" 2>&1; then
    status=1
    tail -n 40 "$out/run-$version.log"
  fi
  grep '^kill-loop:' "$out/run-$version.log" || echo "[kill-loop] no counts: see $out/run-$version.log"
done
exit "$status"
