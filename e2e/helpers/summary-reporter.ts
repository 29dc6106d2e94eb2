// Playwright's closing summary line (see test/reporters/summary.ts).
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { reportSummary } from '../../test/reporters/summary.ts';

export default class SummaryLineReporter implements Reporter {
  private readonly outcomes = new Map<string, TestResult['status']>();

  onTestEnd(test: TestCase, result: TestResult): void {
    this.outcomes.set(test.id, result.status); // the last retry wins
  }

  onEnd(result: FullResult): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const status of this.outcomes.values()) {
      if (status === 'passed') counts.passed++;
      else if (status === 'skipped') counts.skipped++;
      else counts.failed++;
    }
    // a run that failed before any test ended (global setup, a file that does not load) is not a pass
    if (result.status !== 'passed' && counts.failed === 0) counts.failed++;
    reportSummary('e2e', counts);
  }

  printsToStdio(): boolean {
    return false;
  }
}
