// What the fields of a request may hold: prototype keys are refused in hyperparameters and specs and never
// stored; names and tags lose control characters and terminal escapes, and the CLI prints names as plain
// text; the app's schemas and the store (which the CLI goes through) accept the same names, tags and notes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsTable } from '#engine/cli/format.ts';
import { Store, type ModelSpec } from '#engine/store/index.ts';
import { checkName, checkNotes, checkTags } from '#engine/store/validate.ts';
import { parseRequest, type RequestOf } from '#shared/contract.ts';
import { DEFAULT_HYPERPARAMETERS, HyperparameterError, parseHyperparameters } from '#shared/hyperparameters.ts';
import { analyzeSpec, getTemplate } from '#shared/model/index.ts';
import { MAX_NOTES_LENGTH, MAX_RUN_NAME_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from '#shared/records.ts';
import type { DatasetRef } from '#shared/types.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
/** An object whose only key is `key`, as a JSON message would carry it ("__proto__" an own key, not the prototype). */
const withKey = (key: string, value: unknown = 1) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value)}}`);
const ESC = '\u001b';

describe('prototype keys', () => {
  it.each(PROTOTYPE_KEYS)('hyperparameters refuse %s, naming it', (key) => {
    let error: unknown;
    try {
      parseHyperparameters({ epochs: 2, ...withKey(key, { epochs: 1 }) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HyperparameterError);
    expect((error as HyperparameterError).issues).toEqual([
      { field: key, message: expect.stringContaining(`unknown hyperparameter '${key}'`) },
    ]);
  });

  it('parsed hyperparameters hold the known names only', () => {
    const parsed = parseHyperparameters({ epochs: 2, trainSize: null });
    expect(Object.keys(parsed)).toEqual(Object.keys(DEFAULT_HYPERPARAMETERS));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed).toEqual({ ...DEFAULT_HYPERPARAMETERS, epochs: 2 });
  });

  it.each(PROTOTYPE_KEYS)('specs refuse %s as a model field, a layer field and a layer type', (key) => {
    const seed = getTemplate('seed');
    const [first, ...rest] = seed.layers;
    const cases = [
      { ...seed, ...withKey(key) },
      { ...seed, layers: [{ ...first, ...withKey(key) }, ...rest] },
      { ...seed, layers: [{ type: key }, ...rest] },
    ];
    for (const spec of cases) {
      const analysis = analyzeSpec(spec);
      expect(analysis.ok).toBe(false);
      const messages = analysis.ok ? [] : analysis.issues.map((i) => i.message);
      expect(messages.join('\n')).toContain(key);
      expect(messages.join('\n')).not.toMatch(/native code|function/);
    }
  });

  it('the IPC schemas refuse prototype keys anywhere inside a spec or hyperparameters', () => {
    const seed = getTemplate('seed');
    const inLayer = { ...seed, layers: [{ ...seed.layers[0], kernelSize: withKey('__proto__', [3, 3]) }] };
    expect(parseRequest('spec:analyze', { spec: inLayer })).toEqual({
      ok: false,
      error: {
        message:
          "spec:analyze: spec.layers.0.kernelSize.__proto__: the key '__proto__' is not allowed (it names the object prototype)",
        field: 'spec.layers.0.kernelSize.__proto__',
      },
    });
    const hyperparameters = withKey('constructor', { prototype: { polluted: true } });
    const start: RequestOf<'training:start'> = { spec: seed, hyperparameters, dataset: 'mnist' };
    expect(parseRequest('training:start', start)).toMatchObject({
      ok: false,
      error: { field: 'hyperparameters.constructor' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('names are one line of plain text', () => {
  const dirty = `red ${ESC}[31mrun${ESC}[0m\nsecond line\tend\u0007\u009b2J${ESC}]0;title\u0007`;

  it('checkName removes escapes and controls, and turns line breaks into spaces', () => {
    expect(checkName(dirty, 'run name')).toBe('red run second line end');
    expect(checkName('  caf\u00e9 \u2014 ok  ', 'run name')).toBe('caf\u00e9 \u2014 ok');
    expect(() => checkName(`${ESC}[31m\u0000`, 'run name')).toThrow(
      'run name must not be empty (it holds only control characters)',
    );
  });

  it('tags are cleaned the same way', () => {
    expect(checkTags([`${ESC}[1mbold${ESC}[0m`, 'two\nlines', 'BOLD'])).toEqual(['bold', 'two lines']);
  });

  describe('in the store', () => {
    let store: Store;
    const spec: ModelSpec = {
      name: 'tiny',
      inputShape: [28, 28, 1],
      layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
    };
    const dataset: DatasetRef = {
      id: 'mnist',
      name: 'MNIST',
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      trainCount: 60000,
      testCount: 10000,
    };

    beforeAll(() => {
      store = Store.open(':memory:');
    });
    afterAll(() => store.close());

    it('run names, tags, design names and dataset names are stored clean', () => {
      const run = store.createRun({
        name: dirty,
        spec,
        hyperparameters: DEFAULT_HYPERPARAMETERS,
        dataset,
        tags: [`${ESC}[32mgreen`],
      });
      expect(run).toMatchObject({ name: 'red run second line end', tags: ['green'] });
      expect(store.renameRun(run.id, `new\r\nname${ESC}[K`).name).toBe('new  name');
      expect(store.setTags(run.id, ['a\u0085b']).tags).toEqual(['a b']);
      expect(store.saveDesign(`design${ESC}[2J\n1`, spec).name).toBe('design 1');
      expect(
        store.saveDataset({ id: 'idx:/tmp/x', name: `digits\u0000${ESC}[5m`, dir: '/tmp/x', classes: ['0', '1'] }).name,
      ).toBe('digits');
    });
  });

  it('the CLI prints names as plain text, whatever a database holds', () => {
    const record = {
      id: 1,
      name: dirty,
      status: 'completed',
      spec: getTemplate('seed'),
      hyperparameters: DEFAULT_HYPERPARAMETERS,
      epochsCompleted: 1,
    };
    const table = runsTable([
      {
        ...record,
        bestValAccuracy: null,
        bestValAccuracyEpoch: null,
        testAccuracy: null,
        trainingDurationMs: null,
        backend: null,
      } as never,
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    // eslint-disable-next-line no-control-regex -- looking for control characters
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(table).toContain('red run second line end');
  });
});

describe('one set of limits for the app and the CLI', () => {
  const x = (n: number) => 'x'.repeat(n);
  /** The app: main's and the engine's schema, then the store. The CLI: the store alone. */
  const appAccepts = (request: Partial<RequestOf<'training:start'>>) =>
    parseRequest('training:start', { spec: getTemplate('seed'), hyperparameters: {}, dataset: 'mnist', ...request }).ok;
  const storeAccepts = (check: () => unknown) => {
    try {
      check();
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['a name at the limit', x(MAX_RUN_NAME_LENGTH)],
    ['a name over the limit', x(MAX_RUN_NAME_LENGTH + 1)],
    ['a name at the limit inside spaces', `  ${x(MAX_RUN_NAME_LENGTH)}  `],
  ])('%s: the app and the store agree', (_label, name) => {
    expect(appAccepts({ name })).toBe(storeAccepts(() => checkName(name, 'run name')));
  });

  it.each([
    ['a tag at the limit', [x(MAX_TAG_LENGTH)]],
    ['a tag over the limit', [x(MAX_TAG_LENGTH + 1)]],
    ['a tag at the limit inside spaces', [` ${x(MAX_TAG_LENGTH)} `]],
    ['an empty tag', ['  ']],
    ['as many tags as allowed', Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`)],
    ['one tag too many', Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`)],
    [
      'as many tags as allowed, and repeats of them',
      Array.from({ length: MAX_TAGS + 5 }, (_, i) => `T${i % MAX_TAGS}`),
    ],
    ['a tag at the limit once its colour escapes are removed', [`${ESC}[31m${x(MAX_TAG_LENGTH)}${ESC}[0m`]],
    ['a tag that is only escapes', [`${ESC}[31m${ESC}[0m`]],
  ])('%s: the app and the store agree', (_label, tags) => {
    expect(appAccepts({ tags })).toBe(storeAccepts(() => checkTags(tags)));
  });

  it.each([
    ['notes at the limit', x(MAX_NOTES_LENGTH)],
    ['notes over the limit', x(MAX_NOTES_LENGTH + 1)],
  ])('%s: the app and the store agree', (_label, notes) => {
    expect(appAccepts({ notes })).toBe(storeAccepts(() => checkNotes(notes)));
  });

  it("the CLI refuses an overlong tag with the store's message", async () => {
    const layerlab = cliOn(path.join(tempDir(), 'limits.db'));
    const failed = await layerlab(
      'train',
      '--template',
      'mlp',
      '--epochs',
      '1',
      '--train-size',
      '100',
      '--tag',
      x(MAX_TAG_LENGTH + 1),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`tags[0] must be at most ${MAX_TAG_LENGTH} characters`);
  });
});
