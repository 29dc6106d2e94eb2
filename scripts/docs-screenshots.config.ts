// Playwright config for `npm run docs:screenshots` (scripts/docs-screenshots.sh): runs only the README's
// screenshot script, e2e/docs-screenshots.shots.ts, which the e2e suite's config does not pick up.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '../e2e',
  testMatch: 'docs-screenshots.shots.ts',
  // its own folder: Playwright empties outputDir at the start of a run
  outputDir: '../test-results/docs-screenshots',
  workers: 1,
  retries: 0,
  timeout: 300_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
});
