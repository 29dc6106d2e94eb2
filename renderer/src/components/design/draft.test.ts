import { describe, expect, it } from 'vitest';
import { clearDraft, DRAFT_KEY, formatDraftTime, readDraft, writeDraft, type DesignDraft } from './draft.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

// An unfinished design: no output layer, a field out of range.
const draft: DesignDraft = {
  name: 'mine',
  origin: null,
  spec: { name: 'mine', inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filters: 0, kernelSize: 3 }] },
  baseline: '{"name":"mine","inputShape":[28,28,1],"layers":[]}',
  savedAt: Date.UTC(2024, 2, 12, 10, 41),
};

describe('writeDraft and readDraft', () => {
  it('read back what was written, unfinished designs included', () => {
    const storage = memoryStorage();
    expect(writeDraft(storage, draft)).toBeNull();
    expect(readDraft(storage)).toEqual(draft);
  });

  it('find no draft when none was written or it was cleared', () => {
    const storage = memoryStorage();
    expect(readDraft(storage)).toBeNull();
    writeDraft(storage, draft);
    clearDraft(storage);
    expect(readDraft(storage)).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('ignore what cannot be shown as a design', () => {
    const stored = (value: unknown) =>
      memoryStorage({ [DRAFT_KEY]: typeof value === 'string' ? value : JSON.stringify(value) });
    const valid = { version: 1, ...draft };
    expect(readDraft(stored('{"version":1,'))).toBeNull();
    expect(readDraft(stored({ ...valid, version: 2 }))).toBeNull();
    expect(readDraft(stored({ ...valid, spec: { ...draft.spec, layers: [{ filters: 3 }] } }))).toBeNull();
    expect(readDraft(stored({ ...valid, spec: { ...draft.spec, layers: 'Conv2D' } }))).toBeNull();
    expect(readDraft(stored({ ...valid, spec: { ...draft.spec, inputShape: null } }))).toBeNull();
    expect(readDraft(stored({ ...valid, baseline: null }))).toBeNull();
    expect(readDraft(stored({ ...valid, savedAt: 'yesterday' }))).toBeNull();
    expect(readDraft(stored({ ...valid, name: 7 }))).toBeNull();
    expect(readDraft(stored(valid))).toEqual(draft);
  });

  it('report a storage that refuses the draft, and one that cannot be read holds none', () => {
    const full = {
      ...memoryStorage(),
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(writeDraft(full, draft)).toBe('QuotaExceededError');
    expect(readDraft(full)).toBeNull();
  });
});

describe('formatDraftTime', () => {
  const at = (month: number, day: number, hour: number, minute: number, year = 2024) =>
    new Date(year, month, day, hour, minute).getTime();

  it('gives the time alone for today, the date too otherwise, and the year when it differs', () => {
    expect(formatDraftTime(at(2, 12, 10, 41), at(2, 12, 18, 0), 'en-GB')).toBe('10:41');
    expect(formatDraftTime(at(2, 11, 10, 41), at(2, 12, 9, 0), 'en-GB')).toBe('11 Mar, 10:41');
    expect(formatDraftTime(at(11, 31, 23, 5, 2023), at(0, 1, 9, 0), 'en-GB')).toBe('31 Dec 2023, 23:05');
  });
});
