#!/usr/bin/env bash
# End-to-end tests of the desktop app: Playwright drives the built app in an Electron runtime under Xvfb.
# Electron's own binary cannot be downloaded here, so the shared 25.1.1 runtime is installed once
# (../shared/electron-runtime/install.sh, beside this clone) into ~/.cache/electron-runtime-25.
# Extra arguments go to `playwright test` (e.g. a file name or --grep).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

runtime_dir=${ELECTRON_RUNTIME_DIR:-$HOME/.cache/electron-runtime-25}
# The app's own Electron when its binary was downloaded (a normal install), else the local runtime.
own_electron=$(node -e 'try { const p = require("electron"); if (require("fs").existsSync(p)) console.log(p) } catch {}' 2>/dev/null || true)
electron_bin=${LAYERLAB_ELECTRON:-${own_electron:-$runtime_dir/electron}}
if [[ ! -x $electron_bin ]]; then
  installer="$repo/../shared/electron-runtime/install.sh"
  if [[ ! -f $installer ]]; then
    echo "e2e: no Electron runtime at $electron_bin and no installer at $installer" >&2
    exit 1
  fi
  bash "$installer" "$runtime_dir"
  electron_bin=$runtime_dir/electron
fi
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "e2e: xvfb-run is missing (apt-get install xvfb xauth)" >&2
  exit 1
fi

npm run build

export LAYERLAB_ELECTRON=$electron_bin
# -a: a free display number; big enough screen for the 1280x800 window
exec xvfb-run -a -s "-screen 0 1600x1000x24" npx playwright test "$@"
