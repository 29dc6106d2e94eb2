// Batch metrics are written at least every second and at the end of every epoch, so a process killed mid-epoch
// loses at most the last second of them (it used to buffer 50: a whole epoch when an epoch had fewer batches).
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { trainNewRun } from '#engine/runner.ts';
import { BATCH_FLUSH_INTERVAL_MS, BatchMetricWriter, Store } from '#engine/store/index.ts';
import type { BatchMetric, BatchProgress } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const progress = (epoch: number, batch: number, batchesPerEpoch: number, time: number): BatchProgress => ({
  epoch,
  batch,
  step: epoch * batchesPerEpoch + batch,
  loss: 1,
  accuracy: 0.5,
  samplesPerSecond: 100,
  time,
  epochs: 3,
  batchesPerEpoch,
  etaSeconds: 1,
});

describe('the batch metric writer', () => {
  it('never holds more than the last second of batches, and holds none at an epoch’s end', () => {
    for (const batchMs of [7, 150, 333, 999, 1000, 2500]) {
      let clock = 0;
      const written: BatchMetric[] = [];
      const writer = new BatchMetricWriter(
        (rows) => written.push(...rows),
        () => clock,
      );
      const batchesPerEpoch = 40; // fewer than the 50 the old buffer waited for
      let added = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        for (let batch = 0; batch < batchesPerEpoch; batch++) {
          clock += batchMs;
          writer.add(progress(epoch, batch, batchesPerEpoch, clock));
          added++;
          // A kill now loses exactly the unwritten batches: all from the last second.
          const lost = added - written.length;
          const oldestLost = lost > 0 ? clock - (lost - 1) * batchMs : clock;
          expect(clock - oldestLost, `${batchMs} ms batches, epoch ${epoch} batch ${batch}`).toBeLessThan(
            BATCH_FLUSH_INTERVAL_MS,
          );
          if (batch === batchesPerEpoch - 1) expect(written).toHaveLength(added);
        }
      }
      expect(written.map((m) => m.step)).toEqual(Array.from({ length: 120 }, (_, i) => i));
      expect(Object.keys(written[0]).sort()).toEqual([
        'accuracy',
        'batch',
        'epoch',
        'loss',
        'samplesPerSecond',
        'step',
        'time',
      ]);
    }
  });

  it('keeps the rows of a failed write and reports them lost if the last try fails too', () => {
    let fail = true;
    const written: BatchMetric[] = [];
    const writer = new BatchMetricWriter(
      (rows) => {
        if (fail) throw new Error('disk full: append batch metrics failed on database x (SQLITE_FULL)');
        written.push(...rows);
      },
      () => 0,
    );
    writer.add(progress(0, 0, 3, 0));
    writer.add(progress(0, 1, 3, 0));
    expect(() => writer.add(progress(0, 2, 3, 0))).toThrow(/SQLITE_FULL/);
    expect(writer.flushAfterFailure()).toBe(
      'its last 3 batch metric(s) could not be saved: disk full: append batch metrics failed on database x (SQLITE_FULL)',
    );
    fail = false;
    expect(writer.flushAfterFailure()).toBeNull();
    expect(written.map((m) => m.batch)).toEqual([0, 1, 2]);
  });
});

describe('a training run’s batch metrics', () => {
  const dir = tempDir('layerlab-disk-metrics-');
  const dataset = writeSyntheticIdx(path.join(dir, 'idx'));

  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('are in the store within a second, and all of an epoch before its validation and checkpoint', async () => {
    const store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
    // Every batch takes 600 ms by this clock: the writer must write every second one or so, not wait for 50.
    let clock = 1_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const storedAtEachBatch: number[] = [];
    try {
      const outcome = await trainNewRun(
        {
          store,
          checkpointRoot: path.join(dir, 'runs'),
          backend: 'cpu',
          testLimit: 12,
          onEvent: (e) => {
            if (e.type !== 'batch') return;
            storedAtEachBatch.push(store.getBatchMetrics(e.runId).length);
            clock += 600;
          },
        },
        { spec: tinySpec, dataset, hyperparameters: { epochs: 2, batchSize: 4, validationSplit: 0.2, seed: 1 } },
      );
      expect(outcome.run.status).toBe('completed');
      // 16 training images in batches of 4: 4 batches an epoch. Written at 1,200 ms and at each epoch's last batch.
      expect(storedAtEachBatch).toEqual([0, 0, 3, 4, 4, 4, 7, 8]);
    } finally {
      store.close();
    }
  });
});
