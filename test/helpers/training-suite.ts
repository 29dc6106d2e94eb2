// The same training tests for every backend; each backend gets its own test file (one backend per process).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, nativeAddonStatus } from '#engine/backend/backends.ts';
import { getTemplate, templateHyperparameters } from '#shared/model/index.ts';
import type { Hyperparameters } from '#shared/hyperparameters.ts';
import { resumeRun, trainNewRun, type RunnerContext } from '#engine/runner.ts';
import { Store } from '#engine/store/index.ts';
import type { BackendKind, RunEvent, TrainerKind } from '#shared/types.ts';
import { tempDir } from './tmp.ts';

/** CI builds the native backend and sets LAYERLAB_REQUIRE_NATIVE=1, so there a missing build fails instead of skipping. */
export function nativeUnavailable(): string | null {
  const status = nativeAddonStatus('native');
  if (status.ok) return null;
  if (process.env.LAYERLAB_REQUIRE_NATIVE === '1') throw new Error(`LAYERLAB_REQUIRE_NATIVE=1 but ${status.reason}`);
  return status.reason;
}

/** `trainer` is asked for by name; without it the automatic choice must be the graph on native, eager elsewhere. */
export function trainingSuite(kind: BackendKind, skipReason: string | null, trainer?: TrainerKind) {
  const expectedTrainer: TrainerKind = trainer ?? (kind === 'native' || kind === 'gpu' ? 'graph' : 'eager');
  describe.skipIf(skipReason !== null)(
    `training on ${kind} with the ${expectedTrainer} trainer${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      const dir = tempDir();
      let store: Store;
      const context = (events: RunEvent[] = [], extra: Partial<RunnerContext> = {}): RunnerContext => ({
        store,
        checkpointRoot: path.join(dir, 'runs'),
        backend: kind,
        trainer,
        onEvent: (e) => events.push(e),
        ...extra,
      });

      beforeAll(async () => {
        store = Store.open(path.join(dir, 'layerlab.db'));
        const info = await initBackend(kind);
        expect(info.kind).toBe(kind);
      });

      it('trains the seed CNN on 2,000 MNIST images for one epoch to > 85% test accuracy, without leaking tensors', async () => {
        const before = tf.memory().numTensors;
        const events: RunEvent[] = [];
        const outcome = await trainNewRun(context(events), {
          spec: getTemplate('seed'),
          hyperparameters: { trainSize: 2000, epochs: 1, batchSize: 16, validationSplit: 0.1, seed: 1 },
        });
        expect(outcome.run.status).toBe('completed');
        expect(outcome.evaluation!.count).toBe(10000);
        expect(outcome.evaluation!.testAccuracy).toBeGreaterThan(0.85);
        expect(outcome.run.backend!.kind).toBe(kind);
        expect(outcome.run.trainer).toBe(expectedTrainer);
        expect(outcome.run.backend!.reason).toContain(
          expectedTrainer === 'graph' ? 'compiled TensorFlow graph' : 'eager',
        );
        expect(outcome.run.backend!.tfjsVersion).toBe(tf.version.tfjs);
        if (kind === 'native') expect(outcome.run.backend!.tensorflowVersion).toMatch(/^2\.\d+/);
        const batches = events.filter((e) => e.type === 'batch');
        expect(batches.length).toBe(Math.ceil(1800 / 16));
        const last = batches.at(-1)!;
        expect(last.type === 'batch' && last.progress.samplesPerSecond).toBeGreaterThan(0);
        expect(store.getBatchMetrics(outcome.run.id).length).toBe(batches.length);
        const evaluation = store.getEvaluation(outcome.run.id)!;
        expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10000);
        expect(evaluation.mistakes[0].confidence).toBeGreaterThanOrEqual(evaluation.mistakes.at(-1)!.confidence);
        expect(tf.memory().numTensors).toBe(before);
      });

      it('holds the tensor count steady from epoch to epoch', async () => {
        const counts: number[] = [];
        const outcome = await trainNewRun(
          context([], { onEvent: (e) => e.type === 'epoch' && counts.push(tf.memory().numTensors), testLimit: 500 }),
          {
            spec: getTemplate('lenet5'),
            hyperparameters: { trainSize: 400, epochs: 3, batchSize: 50, seed: 2, optimizer: 'rmsprop' },
          },
        );
        expect(outcome.run.status).toBe('completed');
        expect(counts).toHaveLength(3);
        expect(new Set(counts).size).toBe(1);
      });

      it('stops at a batch boundary and resumes from the saved epoch with the optimizer state', async () => {
        const request = {
          spec: getTemplate('seed'),
          hyperparameters: { trainSize: 640, epochs: 3, batchSize: 32, seed: 3, validationSplit: 0.25 },
        };
        const straight = await trainNewRun(context([], { testLimit: 500 }), request);
        expect(straight.run.status).toBe('completed');

        const controller = new AbortController();
        const stopAfterFirstEpochBatch = (e: RunEvent) => {
          if (e.type === 'batch' && e.progress.epoch === 1 && e.progress.batch === 3) controller.abort();
        };
        const stopped = await trainNewRun(
          context([], { onEvent: stopAfterFirstEpochBatch, signal: controller.signal, testLimit: 500 }),
          request,
        );
        expect(stopped.run.status).toBe('stopped');
        expect(stopped.run.epochsCompleted).toBe(1);
        expect(store.getBatchMetrics(stopped.run.id).at(-1)!.batch).toBe(3); // the partial epoch was recorded up to the stop...

        const events: RunEvent[] = [];
        const resumed = await resumeRun(context(events, { testLimit: 500 }), stopped.run.id);
        const started = events.find((e) => e.type === 'started');
        expect(started && started.type === 'started' && started.fromEpoch).toBe(1);
        expect(resumed.run.status).toBe('completed');
        expect(resumed.run.id).toBe(stopped.run.id);
        expect(store.getRunSessions(stopped.run.id)).toHaveLength(2);
        const epochs = store.getEpochMetrics(stopped.run.id);
        expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
        const batches = store.getBatchMetrics(stopped.run.id);
        expect(batches.filter((b) => b.epoch === 1)).toHaveLength(15); // ...and replaced by the resumed epoch
        // Same seed, same data order, restored Adam moments: the resumed run follows the uninterrupted one.
        const reference = store.getEpochMetrics(straight.run.id);
        // The graph is deterministic (seeded masks, the step counter restored with the slots): it resumes exactly.
        const digits = expectedTrainer === 'graph' ? 5 : 2;
        for (let i = 0; i < 3; i++) expect(epochs[i].loss).toBeCloseTo(reference[i].loss, digits);
        expect(resumed.run.testAccuracy!).toBeCloseTo(straight.run.testAccuracy!, expectedTrainer === 'graph' ? 4 : 1);
        expect(resumed.run.trainer).toBe(expectedTrainer);
      });

      it.skipIf(kind !== 'native')('resumes a run with the other trainer from the same checkpoint format', async () => {
        const other: TrainerKind = expectedTrainer === 'graph' ? 'eager' : 'graph';
        for (const optimizer of ['adam', 'rmsprop', 'sgd'] as const) {
          const request = {
            spec: getTemplate('lenet5'),
            hyperparameters: {
              trainSize: 400,
              epochs: 2,
              batchSize: 40,
              seed: 4,
              optimizer,
              momentum: optimizer === 'sgd' ? 0.9 : 0,
            },
          };
          const straight = await trainNewRun(context([], { testLimit: 300 }), request);
          const controller = new AbortController();
          const stopInSecondEpoch = (e: RunEvent) => {
            if (e.type === 'batch' && e.progress.epoch === 1 && e.progress.batch === 2) controller.abort();
          };
          const stopped = await trainNewRun(
            context([], { onEvent: stopInSecondEpoch, signal: controller.signal, testLimit: 300 }),
            request,
          );
          expect(stopped.run.status).toBe('stopped');
          const resumed = await resumeRun(context([], { trainer: other, testLimit: 300 }), stopped.run.id);
          expect(resumed.run.status).toBe('completed');
          expect(resumed.run.trainer).toBe(other);
          expect(store.getRunSessions(stopped.run.id).map((s) => s.backend.trainer)).toEqual([expectedTrainer, other]);
          // Same weights, slots and step counter handed over: the second epoch follows the uninterrupted run.
          const [, second] = store.getEpochMetrics(stopped.run.id);
          expect(second.loss, optimizer).toBeCloseTo(store.getEpochMetrics(straight.run.id)[1].loss, 2);
        }
      });

      it('trains on augmented images, reproducibly from the seed, and stores the augmentation with the run', async () => {
        const recipe = templateHyperparameters('seed-augmented');
        const h = { trainSize: 600, epochs: 2, batchSize: 32, validationSplit: 0, seed: 3 };
        const train = async (augmentation: Partial<Hyperparameters>) => {
          const outcome = await trainNewRun(context(), {
            spec: getTemplate('mlp'),
            hyperparameters: { ...h, ...augmentation },
          });
          expect(outcome.run.status).toBe('completed');
          return { run: outcome.run, losses: store.getEpochMetrics(outcome.run.id).map((e) => e.loss) };
        };
        const [first, again, plain] = [await train(recipe), await train(recipe), await train({})];
        expect(first.run.hyperparameters).toMatchObject(recipe);
        expect(again.losses).toEqual(first.losses); // the same seed: the same augmented images, batch for batch
        // Augmented images are harder to fit than the plain ones, so the training loss differs (and is higher).
        expect(first.losses[1]).toBeGreaterThan(plain.losses[1]);
      });

      it('refuses a bad request before recording a run', async () => {
        const runsBefore = store.listRuns().length;
        await expect(
          trainNewRun(context(), { spec: { ...getTemplate('seed'), layers: [] }, hyperparameters: {} }),
        ).rejects.toThrow(/layers/);
        await expect(
          trainNewRun(context(), { spec: getTemplate('seed'), hyperparameters: { batchSize: 0 } }),
        ).rejects.toThrow(/batchSize must be at least 1/);
        await expect(trainNewRun(context(), { spec: getTemplate('seed'), dataset: 'nope' })).rejects.toThrow(
          /neither a known dataset/,
        );
        expect(store.listRuns()).toHaveLength(runsBefore);
      });
    },
  );
}
