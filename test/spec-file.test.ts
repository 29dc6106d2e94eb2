// Spec files opened in the Design screen (File › Open Spec File…, a dropped .json): read by the engine with the
// CLI's bounded rules (1 MB, UTF-8, BOM accepted) and checked as a saved design is; every refusal names the file
// and the reason.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDesignSpecFile } from '#engine/model/spec-file.ts';
import { EngineService } from '#engine/service.ts';
import { getTemplate } from '#shared/model/index.ts';
import { tinySpec } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};

/** The message readDesignSpecFile threw, or fails the test when it read the file. */
function refusal(file: string): string {
  try {
    readDesignSpecFile(file);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${file} to be refused`);
}

describe('readDesignSpecFile', () => {
  it('reads a spec as written, with or without a byte-order mark', () => {
    const seed = getTemplate('seed');
    const plain = write('seed.json', JSON.stringify(seed, null, 2));
    expect(readDesignSpecFile(plain)).toEqual({ file: plain, spec: seed });
    const bom = write('bom.json', '\uFEFF' + JSON.stringify(tinySpec));
    expect(readDesignSpecFile(bom)).toEqual({ file: bom, spec: tinySpec });
  });

  it('opens an unfinished design, as a saved one reopens', () => {
    const unfinished = {
      ...tinySpec,
      layers: [
        { type: 'Conv2D', kernelSize: 3 },
        { type: 'Dense', units: null },
      ],
    };
    const file = write('unfinished.json', JSON.stringify(unfinished));
    expect(readDesignSpecFile(file).spec).toEqual(unfinished);
  });

  it.each([
    ['missing', () => path.join(dir, 'missing.json'), 'file not found'],
    ['a folder', () => dir, 'is a folder, not a file'],
    ['over 1 MB', () => write('big.json', ' '.repeat(1024 * 1024 + 1)), 'is 1.0 MB, more than the 1 MB allowed'],
    ['not UTF-8', () => write('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d])), 'is not UTF-8 text'],
    ['not JSON', () => write('broken.json', '{"name": "x",'), 'is not valid JSON ('],
    ['an array', () => write('array.json', '[1, 2]'), 'is not a Layerlab spec: spec must be an object'],
    [
      'a misspelt field',
      () => write('typo.json', JSON.stringify({ ...tinySpec, layers: [{ type: 'Conv2D', filter: 8, kernelSize: 3 }] })),
      "is not a Layerlab spec: layer 1 Conv2D: unknown field 'filter'",
    ],
    [
      'an unknown layer type',
      () => write('lstm.json', JSON.stringify({ ...tinySpec, layers: [{ type: 'LSTM' }] })),
      "is not a Layerlab spec: layer 1: field 'type' must be one of",
    ],
    [
      'no input shape',
      () => write('shape.json', JSON.stringify({ name: 'x', layers: [] })),
      'is not a Layerlab spec: spec.inputShape must be three positive integers',
    ],
    [
      'too deep for the IPC bounds',
      () => write('deep.json', JSON.stringify({ ...tinySpec, layers: [{ type: 'Flatten', x: [[[[[[[[1]]]]]]]] }] })),
      'is not a Layerlab spec: layers.0.x.0.0.0.0.0: nested more than 8 levels deep',
    ],
  ])('refuses a file that is %s, naming it and the reason', (_what, make, reason) => {
    const file = make();
    const message = refusal(file);
    expect(message.startsWith(`${file}: `), message).toBe(true);
    expect(message).toContain(reason);
  });
});

describe('spec:readFile', () => {
  let service: EngineService;
  beforeAll(() => {
    service = new EngineService({ dbPath: path.join(dir, 'layerlab.db'), dataDir: dir, emit: () => {} });
  });
  afterAll(() => service.shutdown());

  it('answers the file and its spec, or an error envelope with the reason', async () => {
    const file = write('tiny.json', JSON.stringify(tinySpec));
    expect(await service.handle('spec:readFile', { file })).toEqual({ ok: true, value: { file, spec: tinySpec } });
    const broken = write('broken2.json', 'nope');
    expect(await service.handle('spec:readFile', { file: broken })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(new RegExp(`^${broken}: is not valid JSON`)) },
    });
  });
});
