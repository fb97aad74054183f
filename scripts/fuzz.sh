#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 20), one at a time, on one core.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); without them it says
# NOT RUN and exits 0, so scripts/test.sh works on a stable-only machine.
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
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] NOT RUN: cargo-fuzz is not installed (cargo install cargo-fuzz)"
  exit 0
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
