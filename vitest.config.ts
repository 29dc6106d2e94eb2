// Tests import the layers through package.json's subpath imports (#shared/…, #engine/…), which vitest resolves itself.
// Unit tests of pure renderer and main-process modules sit beside them (no DOM, no Svelte runes, no Electron).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'renderer/src/**/*.test.ts', 'electron/**/*.test.ts'],
    // tfjs backends are process-global and the machines have two cores: one file per worker, forks for native addons.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/reporters/summary-line.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
