// End-to-end tests of the built desktop app (run them with `npm run test:e2e`, which builds first and
// provides the Electron runtime and a display). One worker: the machines have two cores and training is heavy.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // generous: some tests train a small network end to end
  timeout: 300_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['./e2e/helpers/summary-reporter.ts']],
});
