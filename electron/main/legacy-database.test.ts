import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptLegacyDatabase } from './legacy-database.ts';

const dirs: string[] = [];
function temp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-legacy-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** An old app profile: its database, WAL and a checkpoint. */
function legacyProfile(root: string): string {
  const db = path.join(root, 'config', 'Layerlab', 'layerlab.db');
  fs.mkdirSync(path.join(path.dirname(db), 'runs', '1', 'epoch-1'), { recursive: true });
  fs.writeFileSync(db, 'old database');
  fs.writeFileSync(`${db}-wal`, 'wal');
  fs.writeFileSync(path.join(path.dirname(db), 'runs', '1', 'epoch-1', 'weights.bin'), 'weights');
  return db;
}

describe('adopting the database the app kept in its own folder', () => {
  it('moves the database, its WAL and its checkpoints to the shared location on first start', () => {
    const root = temp();
    const legacy = legacyProfile(root);
    const shared = path.join(root, 'share', 'layerlab', 'layerlab.db');
    const adopted = adoptLegacyDatabase(legacy, shared);
    expect(adopted.dbPath).toBe(shared);
    expect(adopted.note).toMatch(/^moved the app's database from .* to .*, shared with the CLI$/);
    expect(fs.readFileSync(shared, 'utf8')).toBe('old database');
    expect(fs.readFileSync(`${shared}-wal`, 'utf8')).toBe('wal');
    expect(fs.readFileSync(path.join(path.dirname(shared), 'runs', '1', 'epoch-1', 'weights.bin'), 'utf8')).toBe(
      'weights',
    );
    expect(fs.existsSync(legacy)).toBe(false);
    // The next start finds the database in place and moves nothing.
    expect(adoptLegacyDatabase(legacy, shared)).toEqual({ dbPath: shared, note: null });
  });

  it('never replaces a database that is already at the shared location (one the CLI made)', () => {
    const root = temp();
    const legacy = legacyProfile(root);
    const shared = path.join(root, 'share', 'layerlab', 'layerlab.db');
    fs.mkdirSync(path.dirname(shared), { recursive: true });
    fs.writeFileSync(shared, 'the CLI database');
    expect(adoptLegacyDatabase(legacy, shared)).toEqual({ dbPath: shared, note: null });
    expect(fs.readFileSync(shared, 'utf8')).toBe('the CLI database');
    expect(fs.readFileSync(legacy, 'utf8')).toBe('old database');
  });

  it('keeps using the old place, whole, when the move fails', () => {
    const root = temp();
    const legacy = legacyProfile(root);
    // A file where the shared folder should be: mkdir fails, nothing moves.
    fs.writeFileSync(path.join(root, 'share'), 'not a folder');
    const adopted = adoptLegacyDatabase(legacy, path.join(root, 'share', 'layerlab', 'layerlab.db'));
    expect(adopted.dbPath).toBe(legacy);
    expect(adopted.note).toMatch(/^could not move the app's database .*; using it where it is$/);
    expect(fs.readFileSync(legacy, 'utf8')).toBe('old database');
    expect(fs.existsSync(`${legacy}-wal`)).toBe(true);
  });

  it('does nothing without an old database, or when both places are one', () => {
    const root = temp();
    const shared = path.join(root, 'layerlab.db');
    expect(adoptLegacyDatabase(path.join(root, 'none.db'), shared)).toEqual({ dbPath: shared, note: null });
    const legacy = legacyProfile(root);
    expect(adoptLegacyDatabase(legacy, legacy)).toEqual({ dbPath: legacy, note: null });
  });
});
