#!/usr/bin/env bash
# One-step set-up on a fresh Linux machine: system packages (when run as root), npm dependencies,
# and the native TensorFlow backend built from a TensorFlow >= 2.12 wheel (see README, "Native TensorFlow").
# Safe to run again: every step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fashion-MNIST is the second real dataset; xvfb and xauth give the end-to-end tests a display.
apt_packages=(dataset-fashion-mnist xvfb xauth)
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${apt_packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
fi
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "setup: optional system packages missing: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
fi

# Electron's own binary is downloaded by its install script where the network allows; where it cannot be,
# the CLI works and the end-to-end tests use a local Electron runtime (scripts/e2e.sh).
npm ci --no-audit --no-fund

# pip tries its default index first; when pip is configured with a local (file://) index, go straight to it.
if [[ -z ${PIP_INDEX_URL:-} ]] && command -v pip >/dev/null; then
  local_index=$(pip config list 2>/dev/null | grep -o "file://[^' ]*" | head -n 1 || true)
  if [[ -n $local_index ]]; then export PIP_INDEX_URL=$local_index; fi
fi
if ! npm run --silent native:build; then
  echo "setup: the native TensorFlow backend could not be built; Layerlab will train on WebAssembly (see \`npx layerlab doctor\`)"
fi
