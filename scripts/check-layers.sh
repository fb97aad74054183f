#!/usr/bin/env bash
# The crate graph is the architecture (README "Layout"); this keeps it so:
# - smallcode-core stays pure: no tokio, reqwest or nvim-rs anywhere in its dependency tree;
# - smallcode-agent and smallcode-llm know nothing of Neovim (no nvim-rs);
# - nothing depends on smallcode-bench (benchmarks stay out of the product).
# Cargo itself refuses cycles. Exit 1 with the offending path on a violation.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check_absent() { # crate, pattern, why
  local hits
  hits=$(cargo tree -p "$1" -e normal --prefix none 2>/dev/null | grep -E "^($2) v" | sort -u || true)
  if [ -n "$hits" ]; then
    echo "[layers] $1 depends on: $hits ($3)"
    fail=1
  fi
}
check_absent smallcode-core 'tokio|reqwest|nvim-rs|hyper' "the core crate is pure and synchronous"
check_absent smallcode-llm 'nvim-rs|rmpv' "the llm crate knows nothing of Neovim"
check_absent smallcode-agent 'nvim-rs|rmpv' "the agent knows nothing of Neovim"
dependents=$(cargo tree --workspace -e normal,build -i smallcode-bench --prefix none 2>/dev/null | grep -v '^smallcode-bench v' | sort -u || true)
if [ -n "$dependents" ]; then
  echo "[layers] crates depend on smallcode-bench: $dependents"
  fail=1
fi
[ $fail -eq 0 ] && echo "[layers] crate graph ok: core pure, agent/llm without Neovim, nothing depends on the bench crate"
exit $fail
