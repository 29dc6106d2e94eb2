// Picks a run's trainer: the compiled graph on the native backends, the eager loop elsewhere or when asked.
import { GraphCompileError } from '../graph/compile.ts';
import { GraphTrainer } from '../graph/graph-trainer.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { buildModel } from '../model/build.ts';
import { TRAINER_KINDS } from '#shared/types.ts';
import type { BackendInfo, Hyperparameters, TrainerKind } from '#shared/types.ts';
import { EagerTrainer, type BatchTrainer } from './batch-trainer.ts';
import { createOptimizer } from './optimizers.ts';

export type TrainerPreference = 'auto' | TrainerKind;
export const TRAINER_PREFERENCES: readonly TrainerPreference[] = ['auto', ...TRAINER_KINDS];

export class TrainerError extends Error {
  override name = 'TrainerError';
}

export interface ChosenTrainer {
  trainer: BatchTrainer;
  /** Why this trainer, e.g. "graph: native TensorFlow runs each batch as one compiled graph". */
  reason: string;
}

export async function chooseTrainer(
  preference: TrainerPreference,
  backend: BackendInfo,
  spec: ModelSpec,
  h: Hyperparameters,
  numClasses: number,
): Promise<ChosenTrainer> {
  const native = backend.kind === 'native' || backend.kind === 'gpu';
  if (preference === 'graph' && !native) {
    throw new TrainerError(
      `the graph trainer needs a native TensorFlow backend (tfjs-node or tfjs-node-gpu); this run is on ${backend.kind}`,
    );
  }
  let fallback = '';
  if (preference !== 'eager' && native) {
    try {
      const trainer = await GraphTrainer.create(spec, h, numClasses);
      return { trainer, reason: 'graph: each batch runs as one compiled TensorFlow graph' };
    } catch (err) {
      // Asked for by name, a graph that cannot be built is an error; chosen automatically, the eager loop
      // trains instead and the run's backend reason says why.
      if (preference === 'graph' || !(err instanceof GraphCompileError)) throw err;
      fallback = `; the graph trainer could not compile this design (${err.message})`;
    }
  }
  const model = buildModel(spec, { seed: h.seed, numClasses });
  const why =
    preference === 'eager'
      ? 'eager: requested'
      : native
        ? `eager${fallback}`
        : `eager: the ${backend.kind} backend has no graph trainer`;
  return { trainer: new EagerTrainer(model, createOptimizer(h)), reason: why };
}
