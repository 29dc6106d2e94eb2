// A compiled graph loaded into one TensorFlow session through tfjs-node's SavedModel API. Each signature is a
// TFSavedModel sharing the session (tfjs-node caches sessions by directory, so every graph gets a directory
// of its own, removed again on dispose). Every call is synchronous: one TF_SessionRun.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadedNativePackage, type SavedModelSignature } from '../backend/backends.ts';
import type { CompiledGraph } from './compile.ts';

const SIGNATURES = ['assign', 'state', 'train', 'gradients', 'predict'] as const;
type SignatureName = (typeof SIGNATURES)[number];

/** Graph folders are named <prefix><pid>-<random>: whose they are stays visible in the temp folder. */
export const GRAPH_DIR_PREFIX = 'layerlab-graph-';

export class GraphSessionError extends Error {
  override name = 'GraphSessionError';
}

export class GraphSession {
  private disposed = false;

  private constructor(
    readonly graph: CompiledGraph,
    private readonly dir: string,
    private readonly signatures: Record<SignatureName, SavedModelSignature>,
  ) {}

  static async open(graph: CompiledGraph): Promise<GraphSession> {
    const native = loadedNativePackage();
    if (!native)
      throw new GraphSessionError('the graph trainer needs a native TensorFlow backend (tfjs-node or tfjs-node-gpu)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${GRAPH_DIR_PREFIX}${process.pid}-`));
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), graph.savedModel);
    const loaded: Partial<Record<SignatureName, SavedModelSignature>> = {};
    try {
      for (const name of SIGNATURES) loaded[name] = await native.node.loadSavedModel(dir, ['serve'], name);
    } catch (err) {
      Object.values(loaded).forEach((s) => s.dispose());
      fs.rmSync(dir, { recursive: true, force: true });
      throw new GraphSessionError(
        `TensorFlow could not load the compiled training graph: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    return new GraphSession(graph, dir, loaded as Record<SignatureName, SavedModelSignature>);
  }

  private run(name: SignatureName, feeds: tf.NamedTensorMap): tf.NamedTensorMap {
    if (this.disposed) throw new GraphSessionError('the graph session has been released');
    return this.signatures[name].predict(feeds) as tf.NamedTensorMap;
  }

  /** Writes every variable (weights, step, optimizer slots): all of them, by id. */
  assign(values: Map<string, Float32Array>): void {
    const feeds: tf.NamedTensorMap = {};
    for (const v of this.graph.variables) {
      const value = values.get(v.id);
      if (!value) throw new GraphSessionError(`no value for graph variable ${v.id}`);
      feeds[v.id] = tf.tensor(value, v.shape, 'float32');
    }
    try {
      tf.dispose(this.run('assign', feeds));
    } finally {
      tf.dispose(Object.values(feeds));
    }
  }

  /** Every variable's current value, by id. */
  readState(): Map<string, Float32Array> {
    const out = this.run('state', {});
    const values = new Map<string, Float32Array>();
    for (const [id, tensor] of Object.entries(out)) values.set(id, tensor.dataSync() as Float32Array);
    tf.dispose(Object.values(out));
    return values;
  }

  /** One optimizer step on a batch; y is int32 class indices, seed [run seed, global step], lr a float32 scalar. */
  trainStep(x: tf.Tensor4D, y: tf.Tensor1D, seed: tf.Tensor1D, lr: tf.Scalar): { loss: number; accuracy: number } {
    const out = this.run('train', { x, y, seed, lr });
    const result = { loss: out.loss.dataSync()[0], accuracy: out.accuracy.dataSync()[0] };
    tf.dispose(Object.values(out));
    return result;
  }

  /** Loss, every trainable weight's gradient ("grad/<id>") and dropout masks ("mask/l<i>"), updating nothing. */
  gradients(x: tf.Tensor4D, y: tf.Tensor1D, seed: tf.Tensor1D): tf.NamedTensorMap {
    return this.run('gradients', { x, y, seed });
  }

  /** Class probabilities in inference mode (dropout off, batch norm on its moving statistics). */
  predict(x: tf.Tensor4D): tf.Tensor2D {
    return this.run('predict', { x }).probabilities as tf.Tensor2D;
  }

  /** Releases the TensorFlow session and its variables, and removes the graph's directory. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of Object.values(this.signatures)) s.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
