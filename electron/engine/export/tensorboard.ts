// A run's stored metrics as TensorBoard event files, so `tensorboard --logdir DIR` shows it next to other work.
// Written in TypeScript (./event-file.ts), not with tfjs-node's summaryFileWriter, so it works on every backend
// and needs neither TensorFlow nor the run's weights: only what the store holds, for runs in any state.
//
// Layout, under DIR:
//   run-<id>-<name>/train/events.out.tfevents.<unix seconds>.<host>.layerlab
//       batch/loss, batch/accuracy   step = global batch index (0-based, BatchMetric.step)
//       epoch/loss, epoch/accuracy   step = epoch index, 0-based (epoch 1 is step 0), as Keras's callback writes
//   run-<id>-<name>/validation/events.out.tfevents.…   epoch/loss, epoch/accuracy (epochs that validated)
//   run-<id>-<name>/test/events.out.tfevents.…         test/loss, test/accuracy at the last epoch's step, when
//                                                      the run has a stored evaluation
//   run-<id>-<name>/hparams.json                       the run's hyperparameters and identity (not an event file)
// TensorBoard shows train, validation and test as three runs, so their epoch curves overlay. Wall times are the
// stored ones (batch and epoch rows' times, the evaluation's time). Exporting again replaces the files written
// before (any events.out.tfevents.*.layerlab in those subfolders); other files are left alone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StoreError, type RunRecord, type Store } from '../store/index.ts';
import { eventFileBytes, type SummaryEvent } from './event-file.ts';

export const TENSORBOARD_SUBFOLDERS = ['train', 'validation', 'test'] as const;
type Subfolder = (typeof TENSORBOARD_SUBFOLDERS)[number];

const OWN_EVENT_FILE = /^events\.out\.tfevents\.\d+\..+\.layerlab$/;
const MAX_NAME_CHARS = 60;

/** `run-<id>-<name>`: the name with anything but letters, digits, '.', '_' and '-' made '-', cut to 60 characters. */
export function tensorboardRunFolder(run: Pick<RunRecord, 'id' | 'name'>): string {
  const cleaned = run.name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[-.]+/, '');
  const safe = Array.from(cleaned)
    .slice(0, MAX_NAME_CHARS)
    .join('')
    .replace(/[-.]+$/, '');
  return safe ? `run-${run.id}-${safe}` : `run-${run.id}`;
}

function hostName(): string {
  return os.hostname().replace(/[^A-Za-z0-9.-]+/g, '_') || 'localhost';
}

const seconds = (ms: number) => ms / 1000;

/** The events of each subfolder, from the store; a subfolder with none is not written (train always is). */
function collectEvents(store: Store, run: RunRecord): Record<Subfolder, SummaryEvent[]> {
  const train: SummaryEvent[] = [];
  const validation: SummaryEvent[] = [];
  const test: SummaryEvent[] = [];
  for (const b of store.getBatchMetrics(run.id)) {
    train.push({
      wallTime: seconds(b.time),
      step: b.step,
      scalars: [
        { tag: 'batch/loss', value: b.loss },
        { tag: 'batch/accuracy', value: b.accuracy },
      ],
    });
  }
  const epochs = store.getEpochMetrics(run.id);
  for (const e of epochs) {
    const wallTime = seconds(e.time);
    train.push({
      wallTime,
      step: e.epoch,
      scalars: [
        { tag: 'epoch/loss', value: e.loss },
        { tag: 'epoch/accuracy', value: e.accuracy },
        // Runs recorded before learning rates were stored have none.
        ...(e.learningRate === null ? [] : [{ tag: 'epoch/learning_rate', value: e.learningRate }]),
      ],
    });
    const scalars = [];
    if (e.valLoss !== null) scalars.push({ tag: 'epoch/loss', value: e.valLoss });
    if (e.valAccuracy !== null) scalars.push({ tag: 'epoch/accuracy', value: e.valAccuracy });
    if (scalars.length) validation.push({ wallTime, step: e.epoch, scalars });
  }
  // Batches and epochs in the order they happened (an epoch's row comes after its last batch); sort is stable.
  train.sort((a, b) => a.wallTime - b.wallTime);
  const evaluation = store.getEvaluation(run.id);
  if (evaluation) {
    test.push({
      wallTime: seconds(evaluation.createdAt),
      step: epochs.reduce((last, e) => Math.max(last, e.epoch), 0),
      scalars: [
        { tag: 'test/loss', value: evaluation.testLoss },
        { tag: 'test/accuracy', value: evaluation.testAccuracy },
      ],
    });
  }
  return { train, validation, test };
}

/** Writes beside the target and renames it into place, so TensorBoard (or a crash) never sees half a file. */
async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    await fs.writeFile(temp, data);
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** Event files an earlier export of this run left in `folder`, other than `keep`. */
async function ownEventFiles(folder: string, keep: string | null): Promise<string[]> {
  try {
    return (await fs.readdir(folder)).filter((name) => OWN_EVENT_FILE.test(name) && name !== keep);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Writes the run's batch and epoch metrics (and test result) as TensorBoard event files under
 * `dir`/run-<id>-<name>/, with its hyperparameters in hparams.json there. Returns the files written, relative
 * to `dir`. Works for runs in any state, with or without weights: it exports what the store holds.
 */
export async function exportTensorboard(store: Store, runId: number, dir: string): Promise<string[]> {
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  const events = collectEvents(store, run);
  const runFolder = tensorboardRunFolder(run);
  const root = path.join(dir, runFolder);
  // Every file of this export starts (and is named) at the run's first start, or its creation if it never started:
  // before all its events, and the same each time, so exporting again replaces the files instead of adding more.
  let start = seconds(run.startedAt ?? run.createdAt);
  for (const sub of TENSORBOARD_SUBFOLDERS) for (const e of events[sub]) start = Math.min(start, e.wallTime);
  const fileName = `events.out.tfevents.${Math.floor(start)}.${hostName()}.layerlab`;
  const written: string[] = [];
  for (const sub of TENSORBOARD_SUBFOLDERS) {
    const folder = path.join(root, sub);
    const write = sub === 'train' || events[sub].length > 0;
    for (const stale of await ownEventFiles(folder, write ? fileName : null))
      await fs.rm(path.join(folder, stale), { force: true });
    if (!write) continue;
    await fs.mkdir(folder, { recursive: true });
    await writeAtomically(path.join(folder, fileName), eventFileBytes(start, events[sub]));
    written.push(path.join(runFolder, sub, fileName));
  }
  const hparams = {
    runId: run.id,
    name: run.name,
    status: run.status,
    model: run.spec.name,
    dataset: { id: run.dataset.id, name: run.dataset.name },
    hyperparameters: run.hyperparameters,
    tags: run.tags,
    epochsCompleted: run.epochsCompleted,
    testAccuracy: run.testAccuracy,
    testLoss: run.testLoss,
    steps: {
      batch: 'global batch index, 0-based',
      epoch: 'epoch index, 0-based: epoch 1 is step 0 (as Keras writes epoch summaries)',
      test: "the last epoch's step",
    },
  };
  await writeAtomically(path.join(root, 'hparams.json'), JSON.stringify(hparams, null, 2) + '\n');
  written.push(path.join(runFolder, 'hparams.json'));
  return written;
}
