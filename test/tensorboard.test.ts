// TensorBoard export (electron/engine/export/): CRC-32C vectors, and the event files read back by a reader written
// here from the formats' specifications (TFRecord framing with its CRCs, the protobuf wire format of
// tensorflow.Event), independent of the writer; then `layerlab export ID DIR --tensorboard` on a trained run.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from '#engine/export/crc32c.ts';
import { encodeEvent, frameRecord } from '#engine/export/event-file.ts';
import { exportTensorboard, tensorboardRunFolder } from '#engine/export/tensorboard.ts';
import { Store } from '#engine/store/index.ts';
import type { BatchMetric, EpochMetric, EvaluationResult } from '#shared/types.ts';
import { cpuBackend, datasetRefFor, tinyHyperparameters, tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

// ---- an independent reader ------------------------------------------------------------------

/** Bit by bit, from the Castagnoli polynomial: no table shared with the writer. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

/** The records of a TFRecord file, each CRC checked; the file must end exactly after the last record. */
function readRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < file.length) {
    expect(file.length - offset).toBeGreaterThanOrEqual(16);
    const length = Number(file.readBigUInt64LE(offset));
    expect(file.readUInt32LE(offset + 8), 'length CRC').toBe(mask(crc32cBitwise(file.subarray(offset, offset + 8))));
    const data = file.subarray(offset + 12, offset + 12 + length);
    expect(data.length).toBe(length);
    expect(file.readUInt32LE(offset + 12 + length), 'data CRC').toBe(mask(crc32cBitwise(data)));
    records.push(data);
    offset += 16 + length;
  }
  expect(offset).toBe(file.length);
  return records;
}

type Field = { wire: 0; value: bigint } | { wire: 1 | 5 | 2; value: Buffer };

/** Protobuf wire format: field number → its values in order. */
function decodeMessage(buf: Buffer): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let offset = 0;
  const varint = () => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
    }
  };
  const take = (n: number) => {
    if (offset + n > buf.length) throw new Error('truncated field');
    const bytes = buf.subarray(offset, offset + n);
    offset += n;
    return bytes;
  };
  while (offset < buf.length) {
    const key = Number(varint());
    const number = key >>> 3;
    const wire = key & 7;
    let field: Field;
    if (wire === 0) field = { wire, value: varint() };
    else if (wire === 1) field = { wire, value: take(8) };
    else if (wire === 5) field = { wire, value: take(4) };
    else if (wire === 2) field = { wire, value: take(Number(varint())) };
    else throw new Error(`unexpected wire type ${wire}`);
    fields.set(number, [...(fields.get(number) ?? []), field]);
  }
  return fields;
}

interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: { tag: string; value: number }[];
}

function one(fields: Map<number, Field[]>, number: number, wire: number): Field | undefined {
  const list = fields.get(number) ?? [];
  expect(list.length).toBeLessThanOrEqual(1);
  if (list[0]) expect(list[0].wire).toBe(wire);
  return list[0];
}

function decodeEvent(data: Buffer): ReadEvent {
  const event = decodeMessage(data);
  expect([...event.keys()].every((n) => [1, 2, 3, 5].includes(n))).toBe(true);
  const wallTime = one(event, 1, 1);
  const step = one(event, 2, 0);
  const version = one(event, 3, 2);
  const summary = one(event, 5, 2);
  const values = [];
  if (summary) {
    const message = decodeMessage(summary.value as Buffer);
    for (const v of message.get(1) ?? []) {
      const value = decodeMessage(v.value as Buffer);
      const tag = one(value, 1, 2)!.value as Buffer;
      const simple = one(value, 2, 5)!.value as Buffer;
      values.push({ tag: tag.toString('utf8'), value: simple.readFloatLE(0) });
    }
  }
  return {
    wallTime: wallTime ? (wallTime.value as Buffer).readDoubleLE(0) : 0,
    step: step ? Number(step.value as bigint) : 0,
    ...(version && { fileVersion: (version.value as Buffer).toString('utf8') }),
    values,
  };
}

function readEventFile(file: string): ReadEvent[] {
  return readRecords(fs.readFileSync(file)).map(decodeEvent);
}

/** tag → [step, value, wallTime] in file order. */
function scalarsOf(events: ReadEvent[]): Record<string, [number, number, number][]> {
  const out: Record<string, [number, number, number][]> = {};
  for (const e of events) for (const v of e.values) (out[v.tag] ??= []).push([e.step, v.value, e.wallTime]);
  return out;
}

// ---- fixtures -------------------------------------------------------------------------------

const BATCHES_PER_EPOCH = 5;

function batchRows(epoch: number, t0: number): BatchMetric[] {
  return Array.from({ length: BATCHES_PER_EPOCH }, (_, batch) => {
    const step = epoch * BATCHES_PER_EPOCH + batch;
    return {
      epoch,
      batch,
      step,
      loss: 2 / (step + 1),
      accuracy: 0.1 + step / 20,
      samplesPerSecond: 500,
      time: t0 + step * 100 + 7,
    };
  });
}

function epochRow(epoch: number, t0: number, validated = true): EpochMetric {
  return {
    epoch,
    loss: 1 / (epoch + 1.5),
    accuracy: 0.6 + epoch / 10,
    valLoss: validated ? 1.1 / (epoch + 1.5) : null,
    valAccuracy: validated ? 0.55 + epoch / 10 : null,
    durationMs: 500,
    samplesPerSecond: 500,
    time: t0 + ((epoch + 1) * BATCHES_PER_EPOCH - 1) * 100 + 50, // after its last batch
    learningRate: null,
    note: null,
  };
}

const evaluation: EvaluationResult = {
  testLoss: 0.321,
  testAccuracy: 0.875,
  confusion: Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 1 : 0))),
  perClassAccuracy: Array(10).fill(1),
  mistakes: [],
  count: 10,
  durationMs: 5,
};

const dataset = datasetRefFor('/tmp/tb-data');
const open: Store[] = [];
function openStore(file: string): Store {
  const store = Store.open(file, { log: () => {} });
  open.push(store);
  return store;
}
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

// ---- tests ----------------------------------------------------------------------------------

describe('CRC-32C', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('matches the known vectors (RFC 3720 B.4 and the check value)', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });
  it('masks as TFRecord does, and agrees with a bit-by-bit CRC', () => {
    const data = bytes('The quick brown fox jumps over the lazy dog');
    expect(crc32c(data)).toBe(0x22620404);
    expect(crc32c(data)).toBe(crc32cBitwise(data));
    expect(maskedCrc32c(data)).toBe(mask(0x22620404));
    const lengthBytes = Uint8Array.from([43, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskedCrc32c(lengthBytes)).toBe(mask(crc32cBitwise(lengthBytes)));
  });
});

describe('event records', () => {
  it('frames and encodes an Event that the reader decodes field by field', () => {
    const data = encodeEvent({
      wallTime: 1_700_000_000.125,
      step: 2 ** 40 + 5, // beyond 32 bits: the varint must not be cut
      scalars: [
        { tag: 'batch/loss', value: 0.1 },
        { tag: 'ünïcode/tag', value: Number.NaN },
      ],
    });
    const [record] = readRecords(frameRecord(data));
    const event = decodeEvent(record);
    expect(event.wallTime).toBe(1_700_000_000.125);
    expect(event.step).toBe(2 ** 40 + 5);
    expect(event.values[0]).toEqual({ tag: 'batch/loss', value: Math.fround(0.1) });
    expect(event.values[1].tag).toBe('ünïcode/tag');
    expect(event.values[1].value).toBeNaN();
    expect(decodeEvent(Buffer.from(encodeEvent({ wallTime: 3, fileVersion: 'brain.Event:2' })))).toEqual({
      wallTime: 3,
      step: 0,
      fileVersion: 'brain.Event:2',
      values: [],
    });
    expect(() => encodeEvent({ wallTime: 0, step: -1, scalars: [] })).toThrow(/step/);
  });
  it('names the run folder from id and a file-safe name', () => {
    expect(tensorboardRunFolder({ id: 3, name: 'Seed CNN: lr 0.01 / aug' })).toBe('run-3-Seed-CNN-lr-0.01-aug');
    expect(tensorboardRunFolder({ id: 4, name: '../..' })).toBe('run-4');
    expect(tensorboardRunFolder({ id: 5, name: 'Zahlen größer' })).toBe('run-5-Zahlen-größer');
    expect(tensorboardRunFolder({ id: 6, name: 'x'.repeat(300) })).toBe(`run-6-${'x'.repeat(60)}`);
  });
});

describe('exportTensorboard', () => {
  it('writes batch, epoch, validation and test scalars that read back with their steps, values and times', async () => {
    const dir = tempDir('layerlab-tb-');
    const store = openStore(path.join(dir, 'layerlab.db'));
    const run = store.createRun({
      name: 'tiny / run',
      spec: tinySpec,
      hyperparameters: { ...tinyHyperparameters, epochs: 2, validationSplit: 0.2 },
      dataset,
    });
    store.startRunSession(run.id, cpuBackend, 0);
    const t0 = Date.now();
    for (const epoch of [0, 1]) {
      store.appendBatchMetrics(run.id, batchRows(epoch, t0));
      store.appendEpochMetric(run.id, epochRow(epoch, t0));
    }
    store.saveEvaluation(run.id, evaluation);
    store.finishRunSession(run.id, 'completed');
    const evaluatedAt = store.getEvaluation(run.id)!.createdAt;

    const out = path.join(dir, 'logs');
    const files = await exportTensorboard(store, run.id, out);
    const folder = `run-${run.id}-tiny-run`;
    expect(files).toHaveLength(4);
    expect(files[3]).toBe(path.join(folder, 'hparams.json'));
    for (const [i, sub] of ['train', 'validation', 'test'].entries())
      expect(files[i]).toMatch(new RegExp(`^${folder}/${sub}/events\\.out\\.tfevents\\.\\d+\\.[^/]+\\.layerlab$`));
    for (const f of files) expect(fs.existsSync(path.join(out, f))).toBe(true);

    const [train, validation, test] = files.slice(0, 3).map((f) => readEventFile(path.join(out, f)));
    // Each file opens with the file_version event, no later than anything in it, and named for its second.
    const started = store.getRun(run.id)!.startedAt!;
    for (const [i, events] of [train, validation, test].entries()) {
      expect(events[0]).toEqual({ wallTime: started / 1000, step: 0, fileVersion: 'brain.Event:2', values: [] });
      expect(events.slice(1).every((e) => e.fileVersion === undefined && e.wallTime >= events[0].wallTime)).toBe(true);
      expect(path.basename(files[i]).split('.')[3]).toBe(String(Math.floor(started / 1000)));
    }

    const batches = store.getBatchMetrics(run.id);
    const epochs = store.getEpochMetrics(run.id);
    const s = scalarsOf(train);
    expect(Object.keys(s).sort()).toEqual(['batch/accuracy', 'batch/loss', 'epoch/accuracy', 'epoch/loss']);
    expect(s['batch/loss']).toEqual(batches.map((b) => [b.step, Math.fround(b.loss), b.time / 1000]));
    expect(s['batch/accuracy']).toEqual(batches.map((b) => [b.step, Math.fround(b.accuracy), b.time / 1000]));
    expect(s['batch/loss'].map(([step]) => step)).toEqual([...Array(10).keys()]);
    // Epoch steps are 0-based, as Keras writes them.
    expect(s['epoch/loss']).toEqual(epochs.map((e) => [e.epoch, Math.fround(e.loss), e.time / 1000]));
    expect(s['epoch/accuracy']).toEqual(epochs.map((e) => [e.epoch, Math.fround(e.accuracy), e.time / 1000]));
    expect(s['epoch/loss'].map(([step]) => step)).toEqual([0, 1]);
    // In time order: an epoch's row after its batches.
    const order = train.slice(1).map((e) => e.values[0].tag.split('/')[0]);
    expect(order).toEqual([...Array(5).fill('batch'), 'epoch', ...Array(5).fill('batch'), 'epoch']);

    const v = scalarsOf(validation);
    expect(Object.keys(v).sort()).toEqual(['epoch/accuracy', 'epoch/loss']);
    expect(v['epoch/loss']).toEqual(epochs.map((e) => [e.epoch, Math.fround(e.valLoss!), e.time / 1000]));
    expect(v['epoch/accuracy']).toEqual(epochs.map((e) => [e.epoch, Math.fround(e.valAccuracy!), e.time / 1000]));

    expect(scalarsOf(test)).toEqual({
      'test/loss': [[1, Math.fround(0.321), evaluatedAt / 1000]],
      'test/accuracy': [[1, Math.fround(0.875), evaluatedAt / 1000]],
    });

    const hparams = JSON.parse(fs.readFileSync(path.join(out, folder, 'hparams.json'), 'utf8'));
    expect(hparams).toMatchObject({
      runId: run.id,
      name: 'tiny / run',
      status: 'completed',
      model: 'tiny',
      hyperparameters: { ...tinyHyperparameters, epochs: 2, validationSplit: 0.2 },
      testAccuracy: 0.875,
    });
  });

  it('exports a running run without weights or validation as it stands, and replaces its earlier export', async () => {
    const dir = tempDir('layerlab-tb-');
    const store = openStore(path.join(dir, 'layerlab.db'));
    const run = store.createRun({ name: 'running', spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
    store.startRunSession(run.id, cpuBackend, 0);
    const t0 = Date.now();
    store.appendBatchMetrics(run.id, batchRows(0, t0));
    store.appendEpochMetric(run.id, epochRow(0, t0, false));
    store.appendBatchMetrics(run.id, batchRows(1, t0).slice(0, 2)); // epoch 2 under way
    const out = path.join(dir, 'logs');
    const first = await exportTensorboard(store, run.id, out);
    expect(first.map((f) => f.split(path.sep)[1])).toEqual(['train', 'hparams.json']);
    const root = path.join(out, `run-${run.id}-running`);
    expect(fs.readdirSync(root).sort()).toEqual(['hparams.json', 'train']);
    let s = scalarsOf(readEventFile(path.join(out, first[0])));
    expect(s['batch/loss'].map(([step]) => step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s['epoch/loss'].map(([step]) => step)).toEqual([0]);

    // A stale file of an earlier export under another name goes; files that are not Layerlab's stay.
    const trainDir = path.join(root, 'train');
    fs.writeFileSync(path.join(trainDir, 'events.out.tfevents.1600000000.otherhost.layerlab'), 'old');
    fs.writeFileSync(path.join(trainDir, 'events.out.tfevents.1600000000.otherhost'), 'not ours');
    fs.mkdirSync(path.join(root, 'validation'));
    fs.writeFileSync(path.join(root, 'validation', 'events.out.tfevents.1600000000.otherhost.layerlab'), 'old');

    store.appendBatchMetrics(run.id, batchRows(1, t0).slice(2));
    store.appendEpochMetric(run.id, epochRow(1, t0, false));
    const second = await exportTensorboard(store, run.id, out);
    expect(second).toEqual(first);
    expect(fs.readdirSync(trainDir).sort()).toEqual(
      [path.basename(first[0]), 'events.out.tfevents.1600000000.otherhost'].sort(),
    );
    expect(fs.readdirSync(path.join(root, 'validation'))).toEqual([]);
    s = scalarsOf(readEventFile(path.join(out, second[0])));
    expect(s['batch/loss'].map(([step]) => step)).toEqual([...Array(10).keys()]);
    expect(s['epoch/loss'].map(([step]) => step)).toEqual([0, 1]);
  });

  it('keeps a diverged NaN loss, and refuses a run that does not exist', async () => {
    const dir = tempDir('layerlab-tb-');
    const store = openStore(path.join(dir, 'layerlab.db'));
    const run = store.createRun({ name: 'nan', spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
    store.startRunSession(run.id, cpuBackend, 0);
    const t0 = Date.now();
    store.appendEpochMetric(run.id, { ...epochRow(0, t0, false), loss: Number.NaN });
    const out = path.join(dir, 'logs');
    const [train] = await exportTensorboard(store, run.id, out);
    expect(scalarsOf(readEventFile(path.join(out, train)))['epoch/loss'][0][1]).toBeNaN();

    await expect(exportTensorboard(store, 999, path.join(dir, 'none'))).rejects.toThrow('run 999 does not exist');
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
  });
});

describe('layerlab export --tensorboard', () => {
  const dir = tempDir('layerlab-tb-cli-');
  const db = path.join(dir, 'cli.db');
  const layerlab = cliOn(db);

  it('writes only the TensorBoard files of a trained run into the folder', async () => {
    const data = writeSyntheticIdx(path.join(dir, 'digits'), { train: 20, test: 12 });
    const specFile = path.join(dir, 'tiny.json');
    fs.writeFileSync(specFile, JSON.stringify(tinySpec));
    const trained = await layerlab(
      'train',
      '--spec',
      specFile,
      '--name',
      'cli tiny',
      '--dataset',
      data,
      '--epochs',
      '2',
      '--batch-size',
      '4',
      '--validation-split',
      '0.2',
      '--backend',
      'wasm',
      '--json',
    );
    expect(trained.code, trained.stderr).toBe(0);
    const { runId, status } = JSON.parse(trained.stdout.trim());
    expect(status).toBe('completed');

    const out = path.join(dir, 'tb');
    const r = await layerlab('export', String(runId), out, '--tensorboard');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`exported run ${runId} for TensorBoard to ${out}`);
    expect(r.stdout).toContain(`tensorboard --logdir ${out}`);
    const folder = `run-${runId}-cli-tiny`;
    expect(fs.readdirSync(out)).toEqual([folder]); // no model.json, weights.bin, …: only TensorBoard's
    expect(fs.readdirSync(path.join(out, folder)).sort()).toEqual(['hparams.json', 'test', 'train', 'validation']);

    const read = (sub: string) => {
      const [file] = fs.readdirSync(path.join(out, folder, sub));
      return scalarsOf(readEventFile(path.join(out, folder, sub, file)));
    };
    const train = read('train');
    // 16 training images (20 less a 0.2 validation split) in batches of 4: 4 batches an epoch, 2 epochs.
    expect(train['batch/loss'].map(([step]) => step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(train['epoch/accuracy'].map(([step]) => step)).toEqual([0, 1]);
    expect(read('validation')['epoch/loss'].map(([step]) => step)).toEqual([0, 1]);
    const show = JSON.parse((await layerlab('runs', 'show', String(runId), '--json')).stdout);
    expect(read('test')['test/accuracy']).toEqual([
      [1, Math.fround(show.evaluation.testAccuracy), show.evaluation.createdAt / 1000],
    ]);
    expect(train['epoch/loss'].map(([, value]) => value)).toEqual(
      show.epochs.map((e: EpochMetric) => Math.fround(e.loss)),
    );
  });

  it('exports a run that has no weights, which the model export refuses', async () => {
    const store = openStore(db);
    const run = store.createRun({ name: 'no weights', spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
    store.startRunSession(run.id, cpuBackend, 0);
    store.appendBatchMetrics(run.id, batchRows(0, Date.now()).slice(0, 3));
    store.close(); // as if the process died mid-epoch: the CLI finds it interrupted

    const model = await layerlab('export', String(run.id), path.join(dir, 'model'));
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/has no saved weights yet/);
    const out = path.join(dir, 'tb-no-weights');
    const r = await layerlab('export', String(run.id), out, '--tensorboard');
    expect(r.code, r.stderr).toBe(0);
    const [file] = fs.readdirSync(path.join(out, `run-${run.id}-no-weights`, 'train'));
    const events = readEventFile(path.join(out, `run-${run.id}-no-weights`, 'train', file));
    expect(scalarsOf(events)['batch/loss'].map(([step]) => step)).toEqual([0, 1, 2]);

    const missing = await layerlab('export', '999', out, '--tensorboard');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('run 999 does not exist');
  });
});
