#!/usr/bin/env bash
# Runs every test smallcode has, on a fresh machine too: installs what the tests need (the pinned
# Neovim builds, into a cache outside the repo), then format/lint checks, unit tests, the Lua tests
# and the end-to-end tests in real headless Neovim 0.12 (the pinned pre-release), then the tests
# that drive Neovim once more on the stable 0.11.4. Tests that need the real model server run
# whenever its cached build is present (scripts/demo.sh or `scripts/deps.sh llama model` creates
# it); the last line says plainly whether they ran, and how to enable them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh nvim nvim011 stylua
bench/install-toolchains.sh   # go + lua for the benchmark tasks' checks (apt, idempotent)
eval "$(scripts/deps.sh paths)"
export SMALLCODE_NVIM SMALLCODE_CACHE
nvim_version() { "$1" --version | head -n1 | sed 's/^NVIM //'; }

if [ -x "$SMALLCODE_LLAMA_SERVER" ] && [ -s "$SMALLCODE_GGUF" ]; then
  export SMALLCODE_LLAMA_SERVER SMALLCODE_GGUF
  real="RUN (llama-server $SMALLCODE_LLAMA_SERVER, model $(basename "$SMALLCODE_GGUF"))"
else
  export SMALLCODE_LLAMA_SERVER="" SMALLCODE_GGUF=""
  real="NOT RUN: no cached llama-server + model; enable them with 'scripts/deps.sh llama model' (~25 min once, or run scripts/demo.sh)"
fi
echo "[test] real-model tests: $real"

# The last line always says whether the real-model tests ran (and how to enable them), also when
# a step fails early.
failed=()
finish() {
  local status=$?
  if [ "$status" -eq 0 ]; then
    echo "[test] all passed (Neovim $(nvim_version "$SMALLCODE_NVIM") and $(nvim_version "$SMALLCODE_NVIM011")); real-model tests: $real"
  else
    echo "[test] FAILED (${failed[*]:-exit $status}); real-model tests: $real"
  fi
}
trap finish EXIT

echo "[test] cargo fmt --check"
cargo fmt --all -- --check
echo "[test] stylua check (lua/, plugin/, tests/lua/)"
node scripts/stylua-check.mjs "$SMALLCODE_STYLUA"
echo "[test] crate layers (scripts/check-layers.sh)"
scripts/check-layers.sh
echo "[test] cargo clippy -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "[test] cargo test (Neovim $(nvim_version "$SMALLCODE_NVIM"))"
if ! cargo test --workspace --lib --bins --tests --no-fail-fast -- --test-threads 2; then
  failed+=("cargo test")
fi

# The Neovim matrix: every test that drives Neovim (the e2e modules, the Lua specs and the graph in
# Neovim) once more on the stable release. The real-model tests run once, above.
echo "[test] the Neovim-driven tests again on Neovim $(nvim_version "$SMALLCODE_NVIM011")"
started=$SECONDS
if ! SMALLCODE_NVIM="$SMALLCODE_NVIM011" cargo test --test it --no-fail-fast -- --test-threads 2 \
  e2e lua_unit graph::neovim_; then
  failed+=("Neovim $(nvim_version "$SMALLCODE_NVIM011") pass")
fi
echo "[test] Neovim $(nvim_version "$SMALLCODE_NVIM011") pass: $((SECONDS - started)) s"

# A short run of every fuzz target (fuzz/, doc/reliability.md "Fuzzing"); says NOT RUN without
# nightly (cargo-fuzz is installed into the cache when missing). SMALLCODE_FUZZ_SECONDS per target, 20 by default.
echo "[test] fuzz targets, ${SMALLCODE_FUZZ_SECONDS:-20} s each (scripts/fuzz.sh)"
if ! scripts/fuzz.sh "${SMALLCODE_FUZZ_SECONDS:-20}"; then
  failed+=("fuzz")
fi

if [ ${#failed[@]} -gt 0 ]; then exit 1; fi
