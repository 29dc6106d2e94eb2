// Checkpoints: the model's weights and the optimizer's state after an epoch, so a stopped or interrupted
// run resumes exactly where its last finished epoch left it. Written to a temporary folder, then renamed,
// so a crash mid-write never leaves a half checkpoint behind.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

interface CheckpointManifest {
  format: 'layerlab-checkpoint';
  version: 1;
  epoch: number; // number of finished epochs
  weights: tf.io.WeightsManifestEntry[];
  optimizer: { className: string; weights: tf.io.WeightsManifestEntry[] };
}

async function encode(tensors: { name: string; tensor: tf.Tensor }[]): Promise<{ data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data: data as ArrayBuffer, specs };
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** What a checkpoint holds, in the layout of tfjs's model.getWeights() and optimizer.getWeights(). */
export interface CheckpointContents {
  epoch: number;
  weights: NamedTensor[];
  optimizer: { className: string; weights: NamedTensor[] };
}

/** A run's checkpoints go to <checkpointRoot>/<runId>/epoch-<n>. */
export function runCheckpointDir(checkpointRoot: string, runId: number): string {
  return path.join(checkpointRoot, String(runId));
}

/** Removes a deleted run's files: the checkpoint folders its store rows named, and its own folder under the root. */
export function removeRunCheckpoints(checkpointRoot: string, runId: number, folders: string[]): void {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  fs.rmSync(runCheckpointDir(checkpointRoot, runId), { recursive: true, force: true });
}

/** Saves after `epoch` finished epochs into dir/epoch-<epoch>; returns that folder. */
export async function saveCheckpoint(dir: string, epoch: number, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<string> {
  const optimizerWeights = await optimizer.getWeights();
  try {
    return await writeCheckpoint(dir, {
      epoch,
      weights: model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })),
      optimizer: { className: optimizer.getClassName(), weights: optimizerWeights },
    });
  } finally {
    // getWeights() creates a fresh scalar for the iteration count (the rest are the optimizer's own variables).
    optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  }
}

/** Writes a checkpoint folder atomically (temporary folder, then rename). */
export async function writeCheckpoint(dir: string, contents: CheckpointContents): Promise<string> {
  const target = path.join(dir, `epoch-${contents.epoch}`);
  const temp = `${target}.tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true });
  const weights = await encode(contents.weights);
  const optimizerEncoded = await encode(contents.optimizer.weights);
  const manifest: CheckpointManifest = {
    format: 'layerlab-checkpoint',
    version: 1,
    epoch: contents.epoch,
    weights: weights.specs,
    optimizer: { className: contents.optimizer.className, weights: optimizerEncoded.specs },
  };
  fs.writeFileSync(path.join(temp, 'weights.bin'), Buffer.from(weights.data));
  fs.writeFileSync(path.join(temp, 'optimizer.bin'), Buffer.from(optimizerEncoded.data));
  fs.writeFileSync(path.join(temp, 'checkpoint.json'), JSON.stringify(manifest));
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(temp, target);
  return target;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

function readManifest(folder: string): CheckpointManifest {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(folder, 'checkpoint.json'), 'utf8'));
  } catch (err) {
    throw new CheckpointError(`checkpoint ${folder} cannot be read: ${(err as Error).message}`);
  }
  if (manifest.format !== 'layerlab-checkpoint' || manifest.version !== 1) throw new CheckpointError(`${folder} is not a Layerlab checkpoint`);
  return manifest;
}

function readTensors(folder: string, file: string, specs: tf.io.WeightsManifestEntry[]): NamedTensor[] {
  const decoded = tf.io.decodeWeights(toArrayBuffer(fs.readFileSync(path.join(folder, file))), specs);
  // The manifest's order is what matters: weights and optimizer state are matched by position.
  return specs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] }));
}

/**
 * Reads a checkpoint, checking its weights against the shapes the model expects (in model.getWeights() order).
 * The caller owns the returned tensors. Without `withOptimizer` the optimizer state is not read.
 */
export function readCheckpoint(folder: string, expectedShapes: number[][], withOptimizer: boolean): CheckpointContents {
  const manifest = readManifest(folder);
  const weights = readTensors(folder, 'weights.bin', manifest.weights);
  if (weights.length !== expectedShapes.length || weights.some((w, i) => w.tensor.shape.join() !== expectedShapes[i].join())) {
    tf.dispose(weights.map((w) => w.tensor));
    throw new CheckpointError(`checkpoint ${folder} does not match this model's architecture`);
  }
  const optimizer = withOptimizer ? readTensors(folder, 'optimizer.bin', manifest.optimizer.weights) : [];
  return { epoch: manifest.epoch, weights, optimizer: { className: manifest.optimizer.className, weights: optimizer } };
}

/** Restores weights (and the optimizer's state, when given one) into a freshly built model of the same spec. */
export async function loadCheckpoint(folder: string, model: tf.LayersModel, optimizer?: tf.Optimizer): Promise<number> {
  const className = readManifest(folder).optimizer.className;
  if (optimizer && className !== optimizer.getClassName()) {
    throw new CheckpointError(`checkpoint ${folder} holds ${className} state but the run uses ${optimizer.getClassName()}`);
  }
  const contents = readCheckpoint(folder, model.getWeights().map((w) => w.shape), Boolean(optimizer));
  model.setWeights(contents.weights.map((w) => w.tensor));
  tf.dispose(contents.weights.map((w) => w.tensor));
  if (optimizer) {
    await optimizer.setWeights(contents.optimizer.weights);
    tf.dispose(contents.optimizer.weights.map((w) => w.tensor)); // setWeights copied them into variables
  }
  return contents.epoch;
}

/** Writes the model in the TensorFlow.js layers format (model.json + weights.bin), loadable by tf.loadLayersModel. */
export async function exportLayersModel(model: tf.LayersModel, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `Layerlab (TensorFlow.js ${tf.version.tfjs})`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return ['model.json', 'weights.bin'];
}
