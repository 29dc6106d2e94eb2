// Trains through a compiled TensorFlow graph: each batch is one session call that runs the forward pass, the
// loss, the backward pass and every variable's update. The tfjs model built from the same spec and seed gives
// the initial weights and the checkpoint layout (model.getWeights() order; optimizer state as tfjs keeps it:
// the iteration count, then each slot for every trainable weight), so either trainer can resume the other's run.
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/idx.ts';
import { modelEvaluationBatchSize, type Classifier } from '../evaluate/evaluate.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { buildModel } from '../model/build.ts';
import type { BatchTrainer } from '../train/batch-trainer.ts';
import { imagesToTensor, labelsOf } from '../train/batches.ts';
import { CheckpointError, readCheckpoint, writeCheckpoint, type NamedTensor } from '../train/checkpoint.ts';
import type { Hyperparameters } from '#shared/types.ts';
import { compileGraph, type CompiledGraph } from './compile.ts';
import { GraphSession } from './session.ts';
import { graphIdsOf } from './weights.ts';

/** The tfjs optimizer class whose state layout and name a graph optimizer's checkpoint uses. */
function optimizerLayout(h: Hyperparameters): { className: string; slots: { graph: string; tfjs: string }[] } {
  switch (h.optimizer) {
    case 'adam':
      return {
        className: 'Adam',
        slots: [
          { graph: 'm', tfjs: 'm' },
          { graph: 'v', tfjs: 'v' },
        ],
      };
    case 'rmsprop':
      return {
        className: 'RMSProp',
        slots: [
          { graph: 'ms', tfjs: 'rms' },
          { graph: 'mom', tfjs: 'momentum' },
        ],
      };
    case 'sgd':
      return h.momentum > 0
        ? { className: 'Momentum', slots: [{ graph: 'momentum', tfjs: 'momentum' }] }
        : { className: 'SGD', slots: [] };
  }
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export class GraphTrainer implements BatchTrainer {
  readonly kind = 'graph' as const;
  readonly classifier: Classifier;
  private readonly weightIds: string[];
  private readonly trainableIds: string[];
  private readonly trainableNames: string[];
  /** The learning rate fed to the train signature, kept while the schedule holds it (most steps). */
  private lr: { value: number; tensor: tf.Scalar } | null = null;

  private constructor(
    private readonly graph: CompiledGraph,
    private readonly session: GraphSession,
    private readonly model: tf.LayersModel,
    private readonly h: Hyperparameters,
  ) {
    this.weightIds = graphIdsOf(model);
    this.trainableIds = graphIdsOf(model, model.trainableWeights);
    this.trainableNames = model.trainableWeights.map((w) => w.name);
    this.classifier = {
      numClasses: graph.numClasses,
      batchSize: modelEvaluationBatchSize(model),
      predict: (images) => session.predict(images),
    };
  }

  /** Compiles the spec and loads it into a new TensorFlow session, with the seeded initial weights. */
  static async create(spec: ModelSpec, h: Hyperparameters, numClasses: number): Promise<GraphTrainer> {
    const graph = compileGraph(spec, h, numClasses);
    const model = buildModel(spec, { seed: h.seed, numClasses });
    let session: GraphSession | null = null;
    try {
      session = await GraphSession.open(graph);
      const trainer = new GraphTrainer(graph, session, model, h);
      const state = new Map<string, Float32Array>();
      model.getWeights().forEach((w, i) => state.set(trainer.weightIds[i], w.dataSync() as Float32Array));
      // Iterations and optimizer slots start at zero.
      for (const v of graph.variables) if (!state.has(v.id)) state.set(v.id, new Float32Array(size(v.shape)));
      session.assign(state);
      return trainer;
    } catch (err) {
      session?.dispose();
      model.dispose();
      throw err;
    }
  }

  async trainBatch(
    set: ImageSet,
    rows: ArrayLike<number>,
    step: number,
    learningRate = this.h.learningRate,
  ): Promise<{ loss: number; accuracy: number }> {
    const x = imagesToTensor(set, rows);
    const y = tf.tensor1d(labelsOf(set, rows), 'int32');
    // Dropout masks are drawn from [seed, step]: the same masks on a resumed run as on an uninterrupted one.
    const seed = tf.tensor1d([this.h.seed, step], 'int32');
    try {
      return this.session.trainStep(x, y, seed, this.learningRateTensor(learningRate));
    } finally {
      tf.dispose([x, y, seed]);
    }
  }

  private learningRateTensor(value: number): tf.Scalar {
    if (this.lr?.value !== value) {
      this.lr?.tensor.dispose();
      this.lr = { value, tensor: tf.scalar(value, 'float32') };
    }
    return this.lr.tensor;
  }

  async saveCheckpoint(dir: string, epoch: number): Promise<string> {
    const state = this.session.readState();
    const layout = optimizerLayout(this.h);
    const shapeOf = new Map(this.graph.variables.map((v) => [v.id, v.shape]));
    const tensor = (id: string) => tf.tensor(state.get(id)!, shapeOf.get(id)!, 'float32');
    const weights: NamedTensor[] = this.weightIds.map((id, i) => ({ name: `w${i}`, tensor: tensor(id) }));
    const optimizer: NamedTensor[] = [
      { name: 'iter', tensor: tf.scalar(Math.round(state.get('iterations')![0]), 'int32') },
    ];
    for (const slot of layout.slots) {
      this.trainableIds.forEach((id, k) =>
        optimizer.push({ name: `${this.trainableNames[k]}/${slot.tfjs}`, tensor: tensor(`slot/${id}/${slot.graph}`) }),
      );
    }
    try {
      return await writeCheckpoint(dir, {
        epoch,
        weights,
        optimizer: { className: layout.className, weights: optimizer },
      });
    } finally {
      tf.dispose([...weights, ...optimizer].map((w) => w.tensor));
    }
  }

  async loadCheckpoint(folder: string): Promise<number> {
    const layout = optimizerLayout(this.h);
    const shapes = this.weightIds.map((id) => this.graph.variables.find((v) => v.id === id)!.shape);
    const contents = readCheckpoint(folder, shapes, true);
    const all = [...contents.weights, ...contents.optimizer.weights].map((w) => w.tensor);
    try {
      if (contents.optimizer.className !== layout.className) {
        throw new CheckpointError(
          `checkpoint ${folder} holds ${contents.optimizer.className} state but the run uses ${layout.className}`,
        );
      }
      const [iter, ...slots] = contents.optimizer.weights;
      if (iter?.name !== 'iter' || slots.length !== layout.slots.length * this.trainableIds.length) {
        throw new CheckpointError(
          `checkpoint ${folder}: its ${layout.className} state does not match this model's weights`,
        );
      }
      const state = new Map<string, Float32Array>();
      contents.weights.forEach((w, i) => state.set(this.weightIds[i], w.tensor.dataSync() as Float32Array));
      state.set('iterations', Float32Array.of(iter.tensor.dataSync()[0]));
      layout.slots.forEach((slot, s) => {
        this.trainableIds.forEach((id, k) => {
          const value = slots[s * this.trainableIds.length + k].tensor;
          if (value.size !== size(this.graph.variables.find((v) => v.id === id)!.shape)) {
            throw new CheckpointError(`checkpoint ${folder}: optimizer slot for ${id} has the wrong size`);
          }
          state.set(`slot/${id}/${slot.graph}`, value.dataSync() as Float32Array);
        });
      });
      this.session.assign(state);
      return contents.epoch;
    } finally {
      tf.dispose(all);
    }
  }

  dispose(): void {
    this.lr?.tensor.dispose();
    this.lr = null;
    this.session.dispose();
    this.model.dispose();
  }
}
