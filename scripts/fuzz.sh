#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 20), one at a time, on one core.
# Needs the nightly toolchain (without it: NOT RUN, exit 0, so scripts/test.sh works on a
# stable-only machine); installs cargo-fuzz into the cache when it is missing.
#
# New inputs found go to a temporary folder, so a short run leaves the kept corpora
# (fuzz/corpus/<target>, minimised with `cargo fuzz cmin`) untouched; a crash writes its
# reproducer to fuzz/artifacts/<target>/ and fails the run. doc/reliability.md ("Fuzzing") has the
# long runs and their execution counts.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "[fuzz] NOT RUN: no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
# cargo-fuzz is installed once into the cache outside the repo (a few minutes of compiling).
CACHE="${SMALLCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smallcode}"
export PATH="$CACHE/cargo-fuzz/bin:$PATH"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz into $CACHE/cargo-fuzz (once)"
  cargo install --quiet --locked cargo-fuzz --root "$CACHE/cargo-fuzz" >&2
fi

echo "[fuzz] building the targets (nightly, release, AddressSanitizer)"
cargo +nightly fuzz build -O >/dev/null 2>&1 || cargo +nightly fuzz build -O

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for target in $(cargo +nightly fuzz list); do
  mkdir -p "$scratch/$target" "fuzz/corpus/$target"
  log="$scratch/$target.log"
  if cargo +nightly fuzz run -O "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -print_final_stats=1 >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "[fuzz] $target: ok, $runs executions in ${seconds}s"
  else
    echo "[fuzz] $target: FAILED (reproducer in fuzz/artifacts/$target/); last lines:"
    tail -n 30 "$log"
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "[fuzz] FAILED: ${failed[*]}"
  exit 1
fi
echo "[fuzz] every target ran ${seconds}s without a crash"
