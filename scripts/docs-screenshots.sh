#!/usr/bin/env bash
# The README's screenshots: runs e2e/docs-screenshots.shots.ts against the built app (through scripts/e2e.sh,
# which builds it and provides Electron and a display), then copies its PNGs into docs/screenshots/.
# Takes about a minute on a 2-core machine: it trains two small networks first.
set -euo pipefail
cd "$(dirname "$0")/.."

shots=e2e/.screenshots
rm -f "$shots"/docs-*.png # so only this run's pictures can be copied
bash scripts/e2e.sh -c scripts/docs-screenshots.config.ts

mkdir -p docs/screenshots
for screen in design train compare draw; do
  cp "$shots/docs-$screen.png" "docs/screenshots/$screen.png"
done
ls -l docs/screenshots
