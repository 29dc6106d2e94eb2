// The default database location: one rule (electron/shared/paths.ts) for the app and the CLI, on each platform.
// Electron main computes its database as path.resolve(databasePath(process.env, process.platform, os.homedir()))
// (electron/main/index.ts); the CLI opens defaultDatabasePath() (electron/engine/store/paths.ts). e2e/app.spec.ts
// checks the built app's answer against the CLI's function too.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDatabasePath } from '#engine/store/paths.ts';
import { databasePath, defaultDataFolder, type PathEnv } from '#shared/paths.ts';

const HOMES: Record<string, string> = {
  linux: '/home/u',
  darwin: '/Users/u',
  win32: 'C:\\Users\\u',
  freebsd: '/home/u',
};

/** Every platform with every environment the rule reads, set and unset. */
const CASES: Array<{ platform: NodeJS.Platform; env: PathEnv; expected: string }> = [
  { platform: 'linux', env: {}, expected: '/home/u/.local/share/layerlab/layerlab.db' },
  { platform: 'linux', env: { XDG_DATA_HOME: '/data' }, expected: '/data/layerlab/layerlab.db' },
  { platform: 'linux', env: { XDG_DATA_HOME: '/data/' }, expected: '/data/layerlab/layerlab.db' },
  // XDG: a relative XDG_DATA_HOME is ignored
  { platform: 'linux', env: { XDG_DATA_HOME: 'data' }, expected: '/home/u/.local/share/layerlab/layerlab.db' },
  { platform: 'linux', env: { XDG_DATA_HOME: '' }, expected: '/home/u/.local/share/layerlab/layerlab.db' },
  // APPDATA means nothing off Windows
  { platform: 'linux', env: { APPDATA: '/appdata' }, expected: '/home/u/.local/share/layerlab/layerlab.db' },
  { platform: 'linux', env: { LAYERLAB_DB: '/x/y.db', XDG_DATA_HOME: '/data' }, expected: '/x/y.db' },
  { platform: 'freebsd', env: {}, expected: '/home/u/.local/share/layerlab/layerlab.db' },
  { platform: 'darwin', env: {}, expected: '/Users/u/Library/Application Support/Layerlab/layerlab.db' },
  // XDG is Linux's convention, not macOS'
  {
    platform: 'darwin',
    env: { XDG_DATA_HOME: '/data' },
    expected: '/Users/u/Library/Application Support/Layerlab/layerlab.db',
  },
  { platform: 'darwin', env: { LAYERLAB_DB: '/x/y.db' }, expected: '/x/y.db' },
  {
    platform: 'win32',
    env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
    expected: 'C:\\Users\\u\\AppData\\Roaming\\Layerlab\\layerlab.db',
  },
  {
    platform: 'win32',
    env: { APPDATA: 'D:/Profiles/u/Roaming/' },
    expected: 'D:\\Profiles\\u\\Roaming\\Layerlab\\layerlab.db',
  },
  { platform: 'win32', env: {}, expected: 'C:\\Users\\u\\AppData\\Roaming\\Layerlab\\layerlab.db' },
  {
    platform: 'win32',
    env: { APPDATA: '\\\\server\\profiles\\u' },
    expected: '\\\\server\\profiles\\u\\Layerlab\\layerlab.db',
  },
  { platform: 'win32', env: { LAYERLAB_DB: 'E:\\runs.db', APPDATA: 'C:\\a' }, expected: 'E:\\runs.db' },
  // an empty LAYERLAB_DB is unset
  { platform: 'win32', env: { LAYERLAB_DB: '', APPDATA: 'C:\\a' }, expected: 'C:\\a\\Layerlab\\layerlab.db' },
];

describe('the default database location', () => {
  it.each(CASES)('$platform with $env: $expected', ({ platform, env, expected }) => {
    const home = HOMES[platform];
    const app = databasePath(env, platform, home);
    const cli = defaultDatabasePath(env as NodeJS.ProcessEnv, platform, home);
    expect(app).toBe(expected);
    expect(cli).toBe(app);
  });

  it('puts the database in the data folder', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const env = { XDG_DATA_HOME: '/data', APPDATA: 'C:\\a' };
      const file = databasePath(env, platform, HOMES[platform]);
      const folder = defaultDataFolder(env, platform, HOMES[platform]);
      expect(file.slice(0, folder.length + 1)).toBe(folder + (platform === 'win32' ? '\\' : '/'));
      expect(file.slice(folder.length + 1)).toBe('layerlab.db');
    }
  });

  it('resolves to one file for the app and the CLI on this machine, LAYERLAB_DB or not', () => {
    for (const env of [
      { ...process.env, LAYERLAB_DB: '' },
      { ...process.env, LAYERLAB_DB: 'relative/runs.db' },
    ]) {
      // main resolves the path; the CLI opens it as given, from the same working folder
      const app = path.resolve(databasePath(env, process.platform, os.homedir()));
      expect(path.resolve(defaultDatabasePath(env))).toBe(app);
      expect(path.isAbsolute(app)).toBe(true);
    }
  });
});
