#!/usr/bin/env bash
# Packages the app on a machine that cannot download Electron or its headers, and checks the result.
#
# `npm run dist` downloads the Electron of package.json and rebuilds better-sqlite3 for it. Here neither download
# is possible, so this builds electron-builder's unpacked (--dir) app from the local Electron runtime
# (../shared/electron-runtime/install.sh; ~/.cache/electron-runtime-25) and skips the rebuild
# (LAYERLAB_SKIP_NATIVE_REBUILD=1): better-sqlite3 stays built for the system Node, which Electron's utility process
# cannot load. Two variants, both from electron-builder.cjs:
#   dist/local/linux-unpacked        the shipped layout (app.asar + app.asar.unpacked). Its engine cannot start
#                                    here: the utility process rejects better-sqlite3 and a plain Node cannot read
#                                    app.asar. Checked: the window opens, and a utility process loads the engine's
#                                    modules, wasm binaries, tfjs-node and the training worker from the archive.
#   dist/local-noasar/linux-unpacked the same files in resources/app (asar off): the engine falls back to the
#                                    system Node and comes up, as in a development checkout.
# Then scripts/verify-package.mjs checks each and, with xvfb-run, e2e/packaged-app.spec.ts launches each.
# Usage: scripts/package-local.sh [--asar-only] [--no-launch]
set -euo pipefail
cd "$(dirname "$0")/.."

variants=(asar noasar)
launch=1
for arg in "$@"; do
  case $arg in
    --asar-only) variants=(asar) ;;
    --no-launch) launch=0 ;;
    *) echo "package-local: unknown option $arg" >&2; exit 2 ;;
  esac
done

runtime_dir=${ELECTRON_RUNTIME_DIR:-$HOME/.cache/electron-runtime-25}
if [[ ! -x $runtime_dir/electron ]]; then
  installer=../shared/electron-runtime/install.sh
  [[ -f $installer ]] || { echo "package-local: no Electron runtime at $runtime_dir and no $installer" >&2; exit 1; }
  bash "$installer" "$runtime_dir"
fi
version=$(sed 's/^v//' "$runtime_dir/version")

npm run build

status=0
for variant in "${variants[@]}"; do
  out=dist/local
  extra=()
  if [[ $variant == noasar ]]; then
    out=dist/local-noasar
    extra=(-c.asar=false)
  fi
  rm -rf "$out"
  echo "package-local: electron-builder --dir, Electron $version from $runtime_dir, no native rebuild → $out"
  LAYERLAB_SKIP_NATIVE_REBUILD=1 npx electron-builder --linux dir --publish never \
    -c.electronDist="$runtime_dir" -c.electronVersion="$version" -c.directories.output="$out" "${extra[@]}"
  node scripts/verify-package.mjs "$out/linux-unpacked" || status=1
  if ((launch)); then
    if command -v xvfb-run >/dev/null 2>&1; then
      LAYERLAB_PACKAGED_APP="$out/linux-unpacked/layerlab" xvfb-run -a -s "-screen 0 1600x1000x24" \
        npx playwright test e2e/packaged-app.spec.ts || status=1
    else
      echo "package-local: xvfb-run is missing: not launching the package (apt-get install xvfb xauth)" >&2
    fi
  fi
done
exit $status
