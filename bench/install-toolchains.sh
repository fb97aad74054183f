#!/usr/bin/env bash
# Installs the toolchains the benchmark tasks need beyond python3, rustc, gcc and node:
# Go (golang-go) and Lua 5.4 (lua5.4). Idempotent: does nothing when both are present.
set -eu
need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
{ command -v lua5.4 >/dev/null 2>&1 || command -v lua >/dev/null 2>&1; } || need+=(lua5.4)
for t in python3 rustc gcc node; do
  command -v "$t" >/dev/null 2>&1 || echo "install-toolchains: warning: $t not found (not installed by this script)" >&2
done
if [ "${#need[@]}" -eq 0 ]; then
  echo "install-toolchains: go and lua already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-toolchains: installing ${need[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
command -v go >/dev/null && { command -v lua5.4 >/dev/null || command -v lua >/dev/null; }
echo "install-toolchains: done"
