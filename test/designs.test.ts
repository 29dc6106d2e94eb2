// Saving designs through the engine's check: a valid spec is stored normalised, an unfinished one as written
// (the Design screen reopens it with its problems, Train refuses it), and garbage is refused naming the field.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckedDesign, unfinishedDesignIssue } from '#engine/model/designs.ts';
import { Store } from '#engine/store/index.ts';
import { analyzeSpec, MAX_LAYERS, TEMPLATES } from '#shared/model/index.ts';
import { tinySpec } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
let store: Store;

beforeAll(() => {
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
});
afterAll(() => store.close());

const savedNames = () => store.listDesigns().map((d) => d.name);
const withLayers = (layers: unknown[]) => ({ ...tinySpec, layers });

/** The error saveCheckedDesign threw, or fails the test when it saved. */
function refusal(name: string, spec: unknown): Error & { issues?: { field: string | null; message: string }[] } {
  try {
    saveCheckedDesign(store, name, spec);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe('saving a valid design', () => {
  it('stores the normalised spec', () => {
    const conv = { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' };
    const saved = saveCheckedDesign(store, 'mine', withLayers([conv, ...tinySpec.layers]));
    expect(saved.name).toBe('mine');
    expect(saved.spec.layers[0]).toEqual({
      ...conv,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'valid',
      useBias: true,
    });
    expect(savedNames()).toContain('mine');
  });
});

describe('saving an unfinished design', () => {
  const unfinished: [string, unknown[]][] = [
    ['a value out of range', [{ type: 'Flatten' }, { type: 'Dense', units: -3 }]],
    ['a required field left empty', [{ type: 'Conv2D', kernelSize: 3 }, ...tinySpec.layers]],
    ['a field emptied to null', [{ type: 'Flatten' }, { type: 'Dense', units: null, activation: 'softmax' }]],
    ['no layers yet', []],
    ['no output layer yet', [{ type: 'Conv2D', filters: 8, kernelSize: [3, 3], padding: 'same' }]],
    ['shapes that do not fit', [{ type: 'MaxPooling2D', poolSize: 64 }, ...tinySpec.layers]],
  ];

  it.each(unfinished)('stores a design with %s as written, still showing its problems', (what, layers) => {
    const spec = withLayers(layers);
    expect(analyzeSpec(spec).ok).toBe(false);
    const saved = saveCheckedDesign(store, `unfinished: ${what}`, spec);
    expect(saved.spec).toEqual(spec);
    const reread = store.getDesign(`unfinished: ${what}`);
    expect(reread?.spec).toEqual(spec);
    expect(analyzeSpec(reread?.spec).ok).toBe(false);
  });

  it('stores the normalised spec once the design is fixed, under the same record', () => {
    const first = saveCheckedDesign(
      store,
      'work in progress',
      withLayers([{ type: 'Flatten' }, { type: 'Dense', units: 0, activation: 'softmax' }]),
    );
    const fixed = saveCheckedDesign(store, 'work in progress', tinySpec);
    expect(fixed.id).toBe(first.id);
    expect(fixed.spec.layers[1]).toEqual({ type: 'Dense', units: 10, activation: 'softmax', useBias: true });
    expect(analyzeSpec(fixed.spec).ok).toBe(true);
  });
});

describe('refusing what is not a design', () => {
  const tooMany = Array.from({ length: MAX_LAYERS + 1 }, () => ({ type: 'Dropout', rate: 0.1 }));
  const garbage: [string, unknown, string | null, RegExp][] = [
    ['not an object', [1, 2, 3], null, /spec must be an object/],
    ['an unknown top-level field', { ...tinySpec, extra: 1 }, 'extra', /unknown field 'extra'/],
    [
      'layers that are not an array',
      { ...tinySpec, layers: { 0: { type: 'Flatten' } } },
      'layers',
      /layers must be an array/,
    ],
    ['too many layers', withLayers(tooMany), 'layers', new RegExp(`at most ${MAX_LAYERS}`)],
    ['a layer that is not an object', withLayers(['Flatten']), null, /layer 1: must be an object/],
    [
      'an unknown layer type',
      withLayers([{ type: 'LSTM', units: 4 }]),
      'type',
      /layer 1: field 'type' must be one of Conv2D/,
    ],
    ['a layer without a type', withLayers([{ units: 4 }]), 'type', /got undefined/],
    [
      'an unknown layer field',
      withLayers([{ type: 'Flatten', dataFormat: 'channelsLast' }]),
      'dataFormat',
      /layer 1 Flatten: unknown field 'dataFormat'/,
    ],
    [
      'a prototype key as a field',
      withLayers([JSON.parse('{"type":"Flatten","__proto__":{"units":1}}')]),
      '__proto__',
      /unknown field '__proto__'/,
    ],
    [
      'an object as a field value',
      withLayers([{ type: 'Dense', units: { value: 10 } }]),
      'units',
      /field 'units' must be a number.*got an object/,
    ],
    [
      'a long text as a field value',
      withLayers([{ type: 'Dense', units: 10, activation: 'x'.repeat(5000) }]),
      'activation',
      /a text of 5000 characters/,
    ],
    ['a non-finite number', withLayers([{ type: 'Dropout', rate: Number.POSITIVE_INFINITY }]), 'rate', /got Infinity/],
    [
      'a long array as a size',
      withLayers([{ type: 'MaxPooling2D', poolSize: [2, 2, 2] }]),
      'poolSize',
      /got an array of 3/,
    ],
    [
      'a typed array as a size',
      withLayers([{ type: 'MaxPooling2D', poolSize: new Float32Array(4) }]),
      'poolSize',
      /got an object/,
    ],
  ];

  it.each(garbage)('refuses %s, naming the field, and saves nothing', (what, spec, field, message) => {
    const err = refusal(`garbage: ${what}`, spec);
    expect(err.message).toMatch(message);
    expect(err.issues?.[0]?.field ?? null).toBe(field);
    expect(unfinishedDesignIssue(spec)?.message).toBe(err.message);
    expect(savedNames()).not.toContain(`garbage: ${what}`);
  });

  it('leaves the name and input shape to the store, which names the field', () => {
    expect(refusal('garbage: no name', { ...withLayers([]), name: '' }).message).toMatch(
      /spec\.name must not be empty/,
    );
    expect(refusal('garbage: bad input', { ...withLayers([]), inputShape: [28, 28] }).message).toMatch(
      /spec\.inputShape must be three positive integers/,
    );
    expect(savedNames().filter((name) => name.startsWith('garbage'))).toEqual([]);
  });

  it('finds nothing wrong with the templates, as written or normalised', () => {
    for (const { spec } of Object.values(TEMPLATES)) {
      expect(unfinishedDesignIssue(spec)).toBeNull();
      const analysis = analyzeSpec(spec);
      expect(analysis.ok && unfinishedDesignIssue(analysis.spec)).toBeNull();
    }
  });
});
