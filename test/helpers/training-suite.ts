// The same training tests for every backend; each backend gets its own test file (one backend per process).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, nativeAddonStatus } from '#engine/backend/backends.ts';
import { getTemplate, templateHyperparameters } from '#shared/model/index.ts';
import { resumeRun, trainNewRun, type RunnerContext } from '#engine/runner.ts';
import { Store } from '#engine/store/index.ts';
import type { BackendKind, RunEvent, TrainerKind } from '#shared/types.ts';
import { tempDir } from './tmp.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { evaluateModel, layersClassifier } from '#engine/evaluate/evaluate.ts';
import { buildModel } from '#engine/model/build.ts';
import { loadCheckpoint } from '#engine/train/checkpoint.ts';
import { chooseTrainer } from '#engine/train/choose-trainer.ts';
import { PLATEAU_MIN_DELTA } from '#engine/train/schedule.ts';
import { parseHyperparameters, type Hyperparameters } from '#shared/hyperparameters.ts';

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

      it("early stopping ends the run after `patience` epochs without improvement and evaluates the best epoch's weights, also across a resume", async () => {
        // An accuracy cannot rise by 1, so epoch 1 stays the best and the run ends after epoch 3 of 6.
        const request = (restoreBest: boolean) => ({
          spec: getTemplate('mlp'),
          hyperparameters: {
            trainSize: 300,
            validationSplit: 0.2,
            epochs: 6,
            batchSize: 30,
            seed: 6,
            earlyStopping: 'val_accuracy',
            earlyStoppingPatience: 2,
            earlyStoppingMinDelta: 1,
            earlyStoppingRestoreBest: restoreBest,
          },
        });
        const reason =
          /^early stopping: val accuracy did not improve by 1 for 2 epochs \(best \d+\.\d\d% at epoch 1\); /;
        const outcome = await trainNewRun(context([], { testLimit: 300 }), request(true));
        const { run } = outcome;
        expect(run.status).toBe('completed');
        expect(run.epochsCompleted).toBe(3);
        expect(run.stopReason).toMatch(reason);
        expect(run.stopReason).toMatch(/the test evaluation used the best epoch's weights \(epoch 1, restored\)$/);
        expect(run.weightsEpoch).toBe(1);
        // Every epoch keeps its checkpoint; the run's weights (Evaluate, Draw, export) are the best epoch's.
        expect(store.listCheckpoints(run.id).map((c) => c.epoch)).toEqual([3, 2, 1]);
        expect(store.checkpointFor(run.id, 'default')?.epoch).toBe(1);
        const dataset = loadDataset(resolveDatasetSource('mnist'));
        const evaluateCheckpoint = async (epoch: number) => {
          const model = buildModel(run.spec, { numClasses: 10 });
          await loadCheckpoint(store.listCheckpoints(run.id).find((c) => c.epoch === epoch)!.path, model);
          const result = await evaluateModel(layersClassifier(model), dataset.test, 300);
          model.dispose();
          return result;
        };
        const best = await evaluateCheckpoint(1);
        expect(run.testLoss!).toBeCloseTo(best.testLoss, 4);
        expect(Math.abs(run.testAccuracy! - best.testAccuracy)).toBeLessThanOrEqual(1 / 300);
        const lastWeights = await evaluateCheckpoint(3);
        expect(Math.abs(lastWeights.testLoss - run.testLoss!)).toBeGreaterThan(1e-3);
        // Both weights were evaluated and stored: the best (the run's default) and the last.
        expect(store.getEvaluations(run.id).map((e) => e.epoch)).toEqual([1, 3]);
        expect(store.getEvaluation(run.id, 'last')!.testLoss).toBeCloseTo(lastWeights.testLoss, 4);
        expect(store.getEvaluation(run.id)!.epoch).toBe(1);
        expect(store.getRun(run.id)!.testEvaluations.map((e) => e.epoch)).toEqual([1, 3]);

        // Without restore-best the run ends the same way, evaluated with its last epoch's weights.
        const last = (await trainNewRun(context([], { testLimit: 300 }), request(false))).run;
        expect(last.epochsCompleted).toBe(3);
        expect(last.stopReason).toMatch(reason);
        expect(last.stopReason).toMatch(/the test evaluation used the last epoch's weights \(epoch 3\)$/);
        expect(last.weightsEpoch).toBe(3);
        expect(store.checkpointFor(last.id, 'default')?.epoch).toBe(3);
        expect(store.getEvaluation(last.id, 'last')?.testAccuracy).toBe(last.testAccuracy);
        expect(store.getEvaluations(last.id).at(-1)?.epoch).toBe(3);

        // Stopped in epoch 3 and resumed: the replayed epochs 1–2 carry early stopping's count, so the resumed
        // session trains epoch 3 only and stops where the uninterrupted run did.
        const controller = new AbortController();
        const stopped = await trainNewRun(
          context([], {
            signal: controller.signal,
            testLimit: 300,
            onEvent: (e) =>
              e.type === 'batch' && e.progress.epoch === 2 && e.progress.batch === 3 && controller.abort(),
          }),
          request(true),
        );
        expect(stopped.run.status).toBe('stopped');
        expect(stopped.run.stopReason).toBeNull();
        const resumed = (await resumeRun(context([], { testLimit: 300 }), stopped.run.id)).run;
        expect(resumed.status).toBe('completed');
        expect(resumed.epochsCompleted).toBe(3);
        expect(resumed.weightsEpoch).toBe(1);
        expect(resumed.stopReason).toBe(run.stopReason);
      });

      it('trains each step at the learning rate it is given', async () => {
        const backend = await initBackend(kind);
        const h = parseHyperparameters({ optimizer: 'sgd', learningRate: 0.1, seed: 8 });
        const dataset = loadDataset(resolveDatasetSource('mnist'));
        const rows = Array.from({ length: 32 }, (_, i) => i);
        const folder = path.join(dir, 'rates');
        /** The weights, flattened, after one SGD step at `lr` (none for undefined, the run's own rate for 'default'). */
        const weightsAfter = async (lr: number | 'default' | null) => {
          const { trainer: batchTrainer } = await chooseTrainer(trainer ?? 'auto', backend, getTemplate('mlp'), h, 10);
          try {
            if (lr !== null) await batchTrainer.trainBatch(dataset.train, rows, 0, lr === 'default' ? undefined : lr);
            const saved = await batchTrainer.saveCheckpoint(folder, 1);
            const model = buildModel(getTemplate('mlp'), { numClasses: 10 });
            await loadCheckpoint(saved, model);
            const flat = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
            model.dispose();
            return flat;
          } finally {
            batchTrainer.dispose();
          }
        };
        const initial = await weightsAfter(null);
        const delta = async (lr: number | 'default') => (await weightsAfter(lr)).map((w, i) => w - initial[i]);
        const [small, large, none, own] = [await delta(0.1), await delta(0.3), await delta(0), await delta('default')];
        const largest = Math.max(...small.map(Math.abs));
        expect(largest).toBeGreaterThan(1e-4);
        // SGD moves every weight by −lr·g: three times the rate, three times the step; none at 0.
        for (let i = 0; i < small.length; i++) expect(Math.abs(large[i] - 3 * small[i])).toBeLessThan(1e-3 * largest);
        expect(Math.max(...none.map(Math.abs))).toBe(0);
        expect(own).toEqual(small);
      });

      it('records the learning rate of every epoch and continues an exponential schedule across a resume', async () => {
        const request = {
          spec: getTemplate('mlp'),
          hyperparameters: {
            trainSize: 400,
            epochs: 3,
            batchSize: 40,
            seed: 9,
            validationSplit: 0.25,
            learningRate: 0.01,
            lrSchedule: 'exponential',
            lrDecayRate: 0.5,
          },
        };
        const straight = await trainNewRun(context([], { testLimit: 200 }), request);
        const rates = store.getEpochMetrics(straight.run.id).map((e) => e.learningRate);
        expect(rates).toHaveLength(3);
        [0.01, 0.005, 0.0025].forEach((rate, i) => expect(rates[i]).toBeCloseTo(rate, 12));
        const constant = await trainNewRun(context([], { testLimit: 200 }), {
          ...request,
          hyperparameters: { ...request.hyperparameters, lrSchedule: 'constant' },
        });
        expect(store.getEpochMetrics(constant.run.id).map((e) => e.learningRate)).toEqual([0.01, 0.01, 0.01]);
        // The decayed rate is the one trained with: the losses part from the constant rate's after the first step.
        expect(store.getEpochMetrics(constant.run.id)[1].loss).not.toBeCloseTo(
          store.getEpochMetrics(straight.run.id)[1].loss,
          4,
        );

        const controller = new AbortController();
        const stopped = await trainNewRun(
          context([], {
            signal: controller.signal,
            testLimit: 200,
            onEvent: (e) =>
              e.type === 'batch' && e.progress.epoch === 1 && e.progress.batch === 3 && controller.abort(),
          }),
          request,
        );
        expect(stopped.run.status).toBe('stopped');
        await resumeRun(context([], { testLimit: 200 }), stopped.run.id);
        const resumed = store.getEpochMetrics(stopped.run.id);
        const reference = store.getEpochMetrics(straight.run.id);
        expect(resumed.map((e) => e.learningRate)).toEqual(reference.map((e) => e.learningRate));
        const digits = expectedTrainer === 'graph' ? 5 : 2;
        for (let i = 0; i < 3; i++) expect(resumed[i].loss).toBeCloseTo(reference[i].loss, digits);
      });

      it('reduce on plateau lowers the rate when the validation loss stalls, and records when it did', async () => {
        // At 1e-9 the validation loss cannot move by PLATEAU_MIN_DELTA: the rate halves after every stalled epoch.
        const outcome = await trainNewRun(context([], { testLimit: 100 }), {
          spec: getTemplate('mlp'),
          hyperparameters: {
            trainSize: 200,
            epochs: 3,
            batchSize: 50,
            seed: 10,
            validationSplit: 0.25,
            learningRate: 1e-9,
            lrSchedule: 'plateau',
            lrPlateauPatience: 1,
            lrPlateauFactor: 0.5,
            lrMinimum: 1e-11,
          },
        });
        expect(outcome.run.status).toBe('completed');
        const epochs = store.getEpochMetrics(outcome.run.id);
        expect(epochs.map((e) => e.learningRate)).toEqual([1e-9, 1e-9, 5e-10]);
        expect(epochs.map((e) => e.note)).toEqual([
          null,
          `reduce on plateau: val loss did not improve by ${PLATEAU_MIN_DELTA} for 1 epoch; learning rate 1e-9 → 5e-10 from epoch 3`,
          null, // after the last epoch no step would train at a lowered rate
        ]);
        expect(outcome.run.stopReason).toBeNull();
        expect(outcome.run.weightsEpoch).toBe(3);
      });

      it('refuses early stopping and the plateau schedule without a validation split, before recording a run', async () => {
        const runsBefore = store.listRuns().length;
        await expect(
          trainNewRun(context(), {
            spec: getTemplate('mlp'),
            hyperparameters: { validationSplit: 0, earlyStopping: 'val_loss' },
          }),
        ).rejects.toThrow(/earlyStopping val_loss needs a validation set, but validationSplit is 0/);
        await expect(
          trainNewRun(context(), {
            spec: getTemplate('mlp'),
            hyperparameters: { validationSplit: 0, lrSchedule: 'plateau' },
          }),
        ).rejects.toThrow(/lrSchedule plateau .* needs a validation set/);
        expect(store.listRuns()).toHaveLength(runsBefore);
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
