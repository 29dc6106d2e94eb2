// The two ways a run trains: the eager tfjs loop (trainOnBatch, one op at a time from JavaScript), and the
// compiled TensorFlow graph (one session call per batch; native backends only). Both start from the same
// seeded weights, follow the same (Keras) optimizer rules and write checkpoints in one format, so a run can
// be resumed by either.
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/idx.ts';
import { layersClassifier, type Classifier } from '../evaluate/evaluate.ts';
import type { TrainerKind } from '#shared/types.ts';
import { imagesToTensor, labelsToTensor } from './batches.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { setLearningRate } from './optimizers.ts';

export interface BatchTrainer {
  readonly kind: TrainerKind;
  /**
   * One optimizer step on the given rows at `learningRate` (the schedule's rate for this step; the run's own
   * learning rate when omitted); `step` is the run's global 0-based batch counter.
   */
  trainBatch(
    set: ImageSet,
    rows: ArrayLike<number>,
    step: number,
    learningRate?: number,
  ): Promise<{ loss: number; accuracy: number }>;
  /** Predicts with the current weights, in inference mode. */
  readonly classifier: Classifier;
  /** Saves weights and optimizer state after `epoch` finished epochs; returns the folder. */
  saveCheckpoint(dir: string, epoch: number): Promise<string>;
  /** Restores weights and optimizer state; returns the number of finished epochs it holds. */
  loadCheckpoint(folder: string): Promise<number>;
  /** Releases every tensor, variable and session the trainer holds. */
  dispose(): void;
}

export class EagerTrainer implements BatchTrainer {
  readonly kind = 'eager' as const;
  readonly classifier: Classifier;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly optimizer: tf.Optimizer,
  ) {
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    this.classifier = layersClassifier(model);
  }

  async trainBatch(
    set: ImageSet,
    rows: ArrayLike<number>,
    _step?: number,
    learningRate?: number,
  ): Promise<{ loss: number; accuracy: number }> {
    if (learningRate !== undefined) setLearningRate(this.optimizer, learningRate);
    const xs = imagesToTensor(set, rows);
    const ys = labelsToTensor(set, rows);
    try {
      const [loss, accuracy] = (await this.model.trainOnBatch(xs, ys)) as number[];
      return { loss, accuracy };
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }

  saveCheckpoint(dir: string, epoch: number): Promise<string> {
    return saveCheckpoint(dir, epoch, this.model, this.optimizer);
  }

  loadCheckpoint(folder: string): Promise<number> {
    return loadCheckpoint(folder, this.model, this.optimizer);
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}
