// Entry of the training worker: one training session on a worker thread of the engine process, so the engine's
// main thread keeps answering requests (Draw, run lists, progress) while a batch runs. TensorFlow runs each
// batch as one synchronous call; on the main thread every request waited for the current batch.
//
// The engine posts one TrainingWorkerStart, later maybe a TrainingWorkerStop; the worker opens its own Store
// connection (SQLite in WAL mode takes a second one), trains with its own backend, posts every RunEvent, then
// closes its store and exits.
//
// The worker opens its store without interrupted-run recovery: the engine's main thread did that when it
// started, and the registry of live sessions is per thread, so a worker would see this process's own open
// sessions as ownerless.
import { parentPort } from 'node:worker_threads';
import type { BackendPreference } from './backend/backends.ts';
import { trainRun } from './runner.ts';
import type { RunEvent } from '#shared/types.ts';
import { Store } from './store/index.ts';
import type { TrainerPreference } from './train/choose-trainer.ts';

export interface TrainingWorkerStart {
  kind: 'start';
  dbPath: string;
  checkpointRoot: string;
  runId: number;
  backend: BackendPreference;
  trainer?: TrainerPreference;
}

export interface TrainingWorkerStop {
  kind: 'stop';
}

export type ToTrainingWorker = TrainingWorkerStart | TrainingWorkerStop;

export type FromTrainingWorker =
  | { kind: 'event'; event: RunEvent }
  /** trainRun threw (before its session started, or while recording its end): no 'finished' event was sent. */
  | { kind: 'failed'; message: string }
  /** The store is closed; the thread exits next. */
  | { kind: 'done' };

if (!parentPort) throw new Error('training-worker must run as a worker thread of the engine process');
const port = parentPort;
const controller = new AbortController();
let started = false;

const post = (message: FromTrainingWorker) => port.postMessage(message);

async function train(start: TrainingWorkerStart): Promise<void> {
  // The engine's main thread recovered interrupted runs when it opened the store; this thread must not.
  const store = Store.open(start.dbPath, {
    log: (m) => console.warn(`layerlab training worker: ${m}`),
    recoverInterrupted: false,
  });
  try {
    await trainRun(
      {
        store,
        checkpointRoot: start.checkpointRoot,
        backend: start.backend,
        ...(start.trainer ? { trainer: start.trainer } : {}),
        signal: controller.signal,
        onEvent: (event) => post({ kind: 'event', event }),
      },
      start.runId,
    );
  } catch (err) {
    post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  } finally {
    store.close();
  }
}

port.on('message', (message: ToTrainingWorker) => {
  if (message.kind === 'stop') {
    controller.abort();
    return;
  }
  if (message.kind !== 'start' || started) return;
  started = true;
  void train(message).finally(() => {
    post({ kind: 'done' });
    // Nothing else keeps the thread alive once the port stops holding it; the engine terminates it if it lingers.
    port.unref();
  });
});
