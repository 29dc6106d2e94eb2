// Evaluation: loss, accuracy, confusion matrix, per-class accuracy and the most confident mistakes.
// Predictions are made in batches in inference mode; the loss is computed from the probabilities
// the same way Keras does (clipped to [1e-7, 1 - 1e-7]).
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/idx.ts';
import { footprintOf } from '#shared/model/memory.ts';
import type { EvaluationResult, Mistake } from '#shared/types.ts';
import { imagesToTensor } from '../train/batches.ts';
import { engineEvaluationBatchSize } from '../train/memory-budget.ts';

const EPSILON = 1e-7;

export interface Predictions {
  /** count x numClasses probabilities, row-major. */
  probabilities: Float32Array;
  numClasses: number;
  labels: Int32Array;
  indices: ArrayLike<number>;
}

/** Anything that turns a batch of images into class probabilities: a tfjs model, or a compiled graph. */
export interface Classifier {
  numClasses: number;
  /** Images it predicts at once within this machine's memory (engineEvaluationBatchSize). */
  batchSize: number;
  /** Inference mode; the caller disposes the input and the result. */
  predict(images: tf.Tensor4D): tf.Tensor;
}

export function layersClassifier(model: tf.LayersModel): Classifier {
  return {
    numClasses: (model.outputs[0].shape as number[]).at(-1)!,
    batchSize: modelEvaluationBatchSize(model),
    predict: (images) => model.predict(images, { batchSize: images.shape[0] }) as tf.Tensor,
  };
}

/** Images a tfjs model (or a graph built from the same spec) predicts at once on this machine. */
export function modelEvaluationBatchSize(model: tf.LayersModel): number {
  return engineEvaluationBatchSize(layersFootprint(model));
}

/** A sequential tfjs model's prediction cost per image, from its layers' shapes. */
function layersFootprint(model: tf.LayersModel) {
  const perImage = (shape: unknown) => (shape as (number | null)[]).slice(1).reduce<number>((a, v) => a * (v ?? 1), 1);
  return footprintOf(
    perImage(model.inputs[0].shape),
    model.layers.map((layer) => ({
      outputValues: perImage(layer.outputShape),
      reshape: layer.getClassName() === 'Flatten',
      params: layer.countParams(),
    })),
  );
}

export async function predictSet(
  source: tf.LayersModel | Classifier,
  set: ImageSet,
  indices: ArrayLike<number>,
): Promise<Predictions> {
  const classifier = source instanceof tf.LayersModel ? layersClassifier(source) : source;
  const batchSize = classifier.batchSize;
  const numClasses = classifier.numClasses;
  const probabilities = new Float32Array(indices.length * numClasses);
  for (let start = 0; start < indices.length; start += batchSize) {
    const rows = Array.prototype.slice.call(indices, start, Math.min(start + batchSize, indices.length)) as number[];
    const probs = tf.tidy(() => classifier.predict(imagesToTensor(set, rows)));
    probabilities.set(await probs.data(), start * numClasses);
    probs.dispose();
  }
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = set.labels[indices[i]];
  return { probabilities, numClasses, labels, indices };
}

export function lossAndAccuracy(p: Predictions): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  for (let row = 0; row < p.labels.length; row++) {
    const offset = row * p.numClasses;
    const prob = Math.min(Math.max(p.probabilities[offset + p.labels[row]], EPSILON), 1 - EPSILON);
    loss -= Math.log(prob);
    if (argmax(p.probabilities, offset, p.numClasses) === p.labels[row]) correct++;
  }
  const n = Math.max(p.labels.length, 1);
  return { loss: loss / n, accuracy: correct / n };
}

/** The class with the highest probability in one row (the first of equals). */
export function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

export function summarize(p: Predictions, durationMs: number, maxMistakes = 200): EvaluationResult {
  const confusion = Array.from({ length: p.numClasses }, () => new Array<number>(p.numClasses).fill(0));
  const mistakes: Mistake[] = [];
  for (let row = 0; row < p.labels.length; row++) {
    const offset = row * p.numClasses;
    const predicted = argmax(p.probabilities, offset, p.numClasses);
    const trueLabel = p.labels[row];
    confusion[trueLabel][predicted]++;
    if (predicted !== trueLabel) {
      mistakes.push({
        testIndex: p.indices[row],
        trueLabel,
        predicted,
        confidence: p.probabilities[offset + predicted],
      });
    }
  }
  mistakes.sort((a, b) => b.confidence - a.confidence);
  const perClassAccuracy = confusion.map((counts, c) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : counts[c] / total;
  });
  const { loss, accuracy } = lossAndAccuracy(p);
  return {
    testLoss: loss,
    testAccuracy: accuracy,
    confusion,
    perClassAccuracy,
    mistakes: mistakes.slice(0, maxMistakes),
    count: p.labels.length,
    durationMs,
  };
}

/** Evaluates on the whole test set (or its first `limit` images). */
export async function evaluateModel(
  model: tf.LayersModel | Classifier,
  test: ImageSet,
  limit?: number,
): Promise<EvaluationResult> {
  const started = performance.now();
  const count = Math.min(limit ?? test.count, test.count);
  const indices = Uint32Array.from({ length: count }, (_, i) => i);
  const predictions = await predictSet(model, test, indices);
  return summarize(predictions, performance.now() - started);
}
