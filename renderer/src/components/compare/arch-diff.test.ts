import { describe, expect, it } from 'vitest';
import { getTemplate, type LayerSpec, type ModelSpec } from '#shared/model/index.ts';
import { describeLayer, diffArchitectures, diffSummary, type DiffRow } from './arch-diff.ts';

const spec = (layers: LayerSpec[]): ModelSpec => ({ name: 'net', inputShape: [28, 28, 1], layers });
const conv = (filters: number, extra: Partial<Extract<LayerSpec, { type: 'Conv2D' }>> = {}): LayerSpec => ({
  type: 'Conv2D',
  filters,
  kernelSize: 3,
  activation: 'relu',
  ...extra,
});
const dense = (units: number, activation: 'relu' | 'softmax' = 'relu'): LayerSpec => ({
  type: 'Dense',
  units,
  activation,
});
const pool: LayerSpec = { type: 'MaxPooling2D', poolSize: 2 };
const flatten: LayerSpec = { type: 'Flatten' };

/** Each row as "kind base→other", e.g. "same 0→0", "removed 2→", "added →3". */
const shape = (rows: DiffRow[]) =>
  rows.map((r) => {
    const base = 'baseIndex' in r ? r.baseIndex : '';
    const other = 'otherIndex' in r ? r.otherIndex : '';
    return `${r.kind} ${base}→${other}`;
  });

describe('describeLayer', () => {
  it('fills the defaults in and writes sizes as pairs', () => {
    expect(describeLayer(conv(32))).toEqual({
      type: 'Conv2D',
      fields: [
        ['filters', '32'],
        ['kernel', '3×3'],
        ['strides', '1×1'],
        ['padding', 'valid'],
        ['activation', 'relu'],
        ['bias', 'true'],
      ],
    });
  });

  it('gives pooling strides the pool size when they are unset', () => {
    expect(describeLayer({ type: 'AveragePooling2D', poolSize: [3, 2] }).fields).toEqual([
      ['pool', '3×2'],
      ['strides', '3×2'],
      ['padding', 'valid'],
    ]);
  });

  it('describes every other layer type by its own settings', () => {
    expect(describeLayer({ type: 'Dropout', rate: 0.25 })).toEqual({ type: 'Dropout', fields: [['rate', '0.25']] });
    expect(describeLayer({ type: 'BatchNormalization' }).fields).toEqual([
      ['momentum', '0.99'],
      ['epsilon', '0.001'],
    ]);
    expect(describeLayer(flatten)).toEqual({ type: 'Flatten', fields: [] });
    expect(describeLayer({ type: 'Dense', units: 10, activation: 'softmax', useBias: false }).fields).toEqual([
      ['units', '10'],
      ['activation', 'softmax'],
      ['bias', 'false'],
    ]);
  });

  it('marks missing required settings with "?"', () => {
    expect(describeLayer({ type: 'Dense' } as LayerSpec).fields[0]).toEqual(['units', '?']);
  });

  it("lists an unknown type's fields as JSON", () => {
    expect(describeLayer({ type: 'LSTM', units: 8, returnSequences: true } as unknown as LayerSpec)).toEqual({
      type: 'LSTM',
      fields: [
        ['units', '8'],
        ['returnSequences', 'true'],
      ],
    });
  });
});

describe('diffArchitectures', () => {
  it('matches identical architectures layer for layer', () => {
    const seed = getTemplate('seed');
    const rows = diffArchitectures(seed, getTemplate('seed'));
    expect(rows).toHaveLength(seed.layers.length);
    expect(rows.every((r, i) => r.kind === 'same' && r.baseIndex === i && r.otherIndex === i)).toBe(true);
    expect(diffSummary(rows)).toEqual({ added: 0, removed: 0, changed: 0 });
  });

  it('treats a setting spelled out at its default as equal to one left out', () => {
    const explicit = spec([
      {
        type: 'Conv2D',
        filters: 32,
        kernelSize: [3, 3],
        strides: 1,
        padding: 'valid',
        activation: 'relu',
        useBias: true,
      },
      { type: 'MaxPooling2D', poolSize: 2, strides: [2, 2] },
      { type: 'Dense', units: 10, activation: 'linear' },
    ]);
    const implicit = spec([conv(32), pool, { type: 'Dense', units: 10 }]);
    expect(shape(diffArchitectures(explicit, implicit))).toEqual(['same 0→0', 'same 1→1', 'same 2→2']);
  });

  it('shows an inserted layer as added, keeping the rest matched', () => {
    const rows = diffArchitectures(spec([conv(32), flatten, dense(10)]), spec([conv(32), pool, flatten, dense(10)]));
    expect(shape(rows)).toEqual(['same 0→0', 'added →1', 'same 1→2', 'same 2→3']);
    expect(rows[1]).toMatchObject({ kind: 'added', other: { type: 'MaxPooling2D' } });
    expect(diffSummary(rows)).toEqual({ added: 1, removed: 0, changed: 0 });
  });

  it('shows a deleted layer as removed', () => {
    const rows = diffArchitectures(
      spec([conv(32), { type: 'Dropout', rate: 0.5 }, flatten, dense(10)]),
      spec([conv(32), flatten, dense(10)]),
    );
    expect(shape(rows)).toEqual(['same 0→0', 'removed 1→', 'same 2→1', 'same 3→2']);
    expect(rows[1]).toMatchObject({ kind: 'removed', base: { type: 'Dropout', fields: [['rate', '0.5']] } });
  });

  it('pairs a layer of the same type with different settings as changed, naming the fields', () => {
    const rows = diffArchitectures(
      spec([conv(32), flatten, dense(10)]),
      spec([conv(64, { padding: 'same' }), flatten, dense(10)]),
    );
    expect(shape(rows)).toEqual(['changed 0→0', 'same 1→1', 'same 2→2']);
    expect(rows[0]).toMatchObject({ kind: 'changed', changed: ['filters', 'padding'] });
    expect(diffSummary(rows)).toEqual({ added: 0, removed: 0, changed: 1 });
  });

  it('does not pair layers of different types: the base one is removed, the other added', () => {
    const rows = diffArchitectures(
      spec([conv(32), pool, flatten]),
      spec([conv(32), { type: 'AveragePooling2D', poolSize: 2 }, flatten]),
    );
    expect(shape(rows)).toEqual(['same 0→0', 'removed 1→', 'added →1', 'same 2→2']);
  });

  it("keeps the other run's order when an added layer precedes a changed one in the same gap", () => {
    const rows = diffArchitectures(
      spec([flatten, dense(64), dense(10, 'softmax')]),
      spec([flatten, { type: 'Dropout', rate: 0.2 }, dense(128), dense(10, 'softmax')]),
    );
    expect(shape(rows)).toEqual(['same 0→0', 'added →1', 'changed 1→2', 'same 2→3']);
    expect(rows[2]).toMatchObject({ changed: ['units'] });
  });

  it('pairs layers in order within a gap and leaves the surplus as added', () => {
    const rows = diffArchitectures(spec([conv(8), conv(16), flatten]), spec([conv(4), conv(12), conv(20), flatten]));
    expect(shape(rows)).toEqual(['changed 0→0', 'changed 1→1', 'added →2', 'same 2→3']);
    expect(diffSummary(rows)).toEqual({ added: 1, removed: 0, changed: 2 });
  });

  it('lists every layer as added or removed against an empty architecture', () => {
    expect(shape(diffArchitectures(spec([]), spec([flatten, dense(10)])))).toEqual(['added →0', 'added →1']);
    expect(shape(diffArchitectures(spec([flatten, dense(10)]), spec([])))).toEqual(['removed 0→', 'removed 1→']);
    expect(diffArchitectures(spec([]), spec([]))).toEqual([]);
  });

  it('tolerates a spec without a layer list (an older or damaged record)', () => {
    const broken = { name: 'broken', inputShape: [28, 28, 1] } as unknown as ModelSpec;
    expect(shape(diffArchitectures(broken, spec([flatten])))).toEqual(['added →0']);
  });

  it('diffs the seed template against LeNet-5', () => {
    const rows = diffArchitectures(getTemplate('seed'), getTemplate('lenet5'));
    // Every base layer and every other layer appears exactly once.
    expect(rows.flatMap((r) => ('baseIndex' in r ? [r.baseIndex] : []))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.flatMap((r) => ('otherIndex' in r ? [r.otherIndex] : []))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Only Flatten and the softmax classifier are identical.
    expect(rows.filter((r) => r.kind === 'same').map((r) => r.kind === 'same' && r.base.type)).toEqual([
      'Flatten',
      'Dense',
    ]);
    const firstConv = rows.find((r) => r.kind === 'changed' && r.base.type === 'Conv2D');
    expect(firstConv).toMatchObject({
      baseIndex: 0,
      otherIndex: 0,
      changed: ['filters', 'kernel', 'padding', 'activation'],
    });
  });
});
