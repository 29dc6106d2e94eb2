// The plain closing line both test runners print, "N passed, N failed, N skipped", which any CI log reader
// understands. With LAYERLAB_TEST_SUMMARY set, the counts are also appended there so scripts/test-all.sh
// can print one total for the unit and end-to-end suites.
import fs from 'node:fs';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function reportSummary(suite: string, counts: Counts): void {
  process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  const file = process.env.LAYERLAB_TEST_SUMMARY;
  if (file) fs.appendFileSync(file, `${JSON.stringify({ suite, ...counts })}\n`);
}
