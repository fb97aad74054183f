#!/usr/bin/env bash
# Runs every test smallcode has, on a fresh machine too: installs what the tests need (the pinned
# Neovim, into a cache outside the repo), then format/lint checks, unit tests, the Lua tests and
# the end-to-end tests in real headless Neovim. Tests that need the real model server run
# whenever its cached build is present (scripts/demo.sh or `scripts/deps.sh llama model` creates
# it); this script says plainly whether they ran.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh nvim stylua
bench/install-toolchains.sh   # go + lua for the benchmark tasks' checks (apt, idempotent)
eval "$(scripts/deps.sh paths)"
export SMALLCODE_NVIM SMALLCODE_CACHE

if [ -x "$SMALLCODE_LLAMA_SERVER" ] && [ -s "$SMALLCODE_GGUF" ]; then
  export SMALLCODE_LLAMA_SERVER SMALLCODE_GGUF
  real="RUN (llama-server $SMALLCODE_LLAMA_SERVER, model $(basename "$SMALLCODE_GGUF"))"
else
  export SMALLCODE_LLAMA_SERVER="" SMALLCODE_GGUF=""
  real="NOT RUN: no cached llama-server + model (run scripts/demo.sh or 'scripts/deps.sh llama model' once)"
fi
echo "[test] real-model tests: $real"

echo "[test] cargo fmt --check"
cargo fmt --all -- --check
echo "[test] stylua check (lua/, plugin/, tests/lua/)"
node scripts/stylua-check.mjs "$SMALLCODE_STYLUA"
echo "[test] cargo clippy -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "[test] cargo test"
cargo test --workspace --lib --bins --tests --no-fail-fast -- --test-threads 2
echo "[test] real-model tests: $real"
