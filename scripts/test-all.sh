#!/usr/bin/env bash
# Every test: the engine's unit and integration tests (vitest), then the desktop app end to end (Playwright,
# built app, real engine, real SQLite file). Ends with one total line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export LAYERLAB_TEST_SUMMARY=$summary
npm test
unit=$?
bash scripts/e2e.sh
e2e=$?
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
  const t = lines.reduce((a, l) => ({ passed: a.passed + l.passed, failed: a.failed + l.failed, skipped: a.skipped + l.skipped }), { passed: 0, failed: 0, skipped: 0 });
  console.log(`\nall suites (${lines.map((l) => l.suite).join(" + ") || "none"}):`);
  console.log(`${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
' "$summary"
if ((unit != 0 || e2e != 0)); then exit 1; fi
