#!/usr/bin/env bash
# Runs Aider (PyPI aider-chat, installed by `scripts/deps.sh aider`) on one benchmark task copy.
# Called by `smallcode bench --agent-cmd aider=bench/peers/aider.sh` with the copy as cwd and
# SMALLCODE_{PROMPT_FILE,ENDPOINT,PROVIDER,MODEL,CONTEXT,TIMEOUT} set (crates/bench/src/peer.rs).
#
# Aider gets what a user would give it: every source file of the task in the chat, its default
# "whole" edit format for weak models, its own lint step, auto-accept of everything. Its files go
# to a scratch dir, never into the task copy. A reply cap is always sent (without one llama-server
# generates until the context is full; see ../shared/facts.md).
set -euo pipefail
cache="${SMALLCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smallcode}"
aider="${SMALLCODE_AIDER:-$cache/peers/aider/bin/aider}"
[ -x "$aider" ] || { echo "aider not installed: run scripts/deps.sh aider" >&2; exit 125; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "$SMALLCODE_PROVIDER" = ollama ]; then
  model="ollama_chat/$SMALLCODE_MODEL"
  export OLLAMA_API_BASE="$SMALLCODE_ENDPOINT"
else
  model="openai/$SMALLCODE_MODEL"
  export OPENAI_API_BASE="$SMALLCODE_ENDPOINT/v1" OPENAI_API_KEY="${OPENAI_API_KEY:-sk-local}"
fi
cat > "$scratch/settings.yml" <<YML
- name: $model
  edit_format: whole
  use_repo_map: false
  extra_params:
    max_tokens: 1024
YML
cat > "$scratch/metadata.json" <<JSON
{"$model": {"max_input_tokens": $SMALLCODE_CONTEXT, "max_output_tokens": 1024,
  "input_cost_per_token": 0, "output_cost_per_token": 0, "litellm_provider": "${model%%/*}",
  "mode": "chat"}}
JSON

# The task's source files (no build outputs), as a user would /add them.
mapfile -t files < <(find . -type f ! -path './.git/*' ! -path '*/target/*' ! -path '*/node_modules/*' \
  ! -name '*.pyc' ! -name '.aider*' | sed 's|^\./||' | sort)

export HOME="$scratch/home" AIDER_ANALYTICS_DISABLE=1
mkdir -p "$HOME"
exec "$aider" --model "$model" --model-settings-file "$scratch/settings.yml" \
  --model-metadata-file "$scratch/metadata.json" \
  --no-git --yes-always --no-auto-commits --no-show-model-warnings --no-check-update \
  --no-analytics --no-pretty --no-stream --no-detect-urls --no-suggest-shell-commands \
  --input-history-file "$scratch/hist" --chat-history-file "$scratch/chat.md" \
  --timeout "$SMALLCODE_TIMEOUT" \
  --message-file "$SMALLCODE_PROMPT_FILE" "${files[@]}"
