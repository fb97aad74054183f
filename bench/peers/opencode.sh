#!/usr/bin/env bash
# Runs OpenCode (npm opencode-ai, installed by `scripts/deps.sh opencode`) on one benchmark task copy.
# Called by `smallcode bench --agent-cmd opencode=bench/peers/opencode.sh` with the copy as cwd and
# SMALLCODE_{PROMPT_FILE,ENDPOINT,PROVIDER,MODEL,CONTEXT,TIMEOUT} set (crates/bench/src/peer.rs).
#
# `opencode run` is its non-interactive mode; the config points it at the same server and model
# through its OpenAI-compatible provider, allows every tool (the copy is throwaway, like our
# --allow-all) and caps the reply. Its config and state go to a scratch HOME, never the task copy.
set -euo pipefail
cache="${SMALLCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smallcode}"
opencode="${SMALLCODE_OPENCODE:-$cache/peers/opencode/node_modules/opencode-linux-x64/bin/opencode}"
[ -x "$opencode" ] || { echo "opencode not installed: run scripts/deps.sh opencode" >&2; exit 125; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
base="$SMALLCODE_ENDPOINT/v1"
cat > "$scratch/opencode.json" <<JSON
{
  "\$schema": "https://opencode.ai/config.json",
  "provider": {
    "local": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "local",
      "options": { "baseURL": "$base", "apiKey": "sk-local" },
      "models": {
        "$SMALLCODE_MODEL": {
          "name": "$SMALLCODE_MODEL",
          "limit": { "context": $SMALLCODE_CONTEXT, "output": 1024 }
        }
      }
    }
  },
  "model": "local/$SMALLCODE_MODEL",
  "permission": { "edit": "allow", "bash": "allow", "webfetch": "deny" },
  "autoupdate": false,
  "share": "disabled"
}
JSON
# Keep provider packages (fetched from the npm registry on first use) in the shared cache, so
# only the first trial pays for them.
export XDG_CACHE_HOME="$cache/peers/opencode/xdg-cache"
export XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" XDG_CONFIG_HOME="$scratch/config"
export OPENCODE_CONFIG="$scratch/opencode.json" OPENCODE_DISABLE_AUTOUPDATE=1
exec "$opencode" run "$(cat "$SMALLCODE_PROMPT_FILE")"
