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

/** Saves after `epoch` finished epochs into dir/epoch-<epoch>; returns that folder. */
export async function saveCheckpoint(dir: string, epoch: number, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<string> {
  const target = path.join(dir, `epoch-${epoch}`);
  const temp = `${target}.tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true });
  const modelWeights = model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor }));
  const weights = await encode(modelWeights);
  const optimizerWeights = await optimizer.getWeights();
  const optimizerEncoded = await encode(optimizerWeights);
  // getWeights() creates a fresh scalar for the iteration count (the rest are the optimizer's own variables).
  optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  const manifest: CheckpointManifest = {
    format: 'layerlab-checkpoint',
    version: 1,
    epoch,
    weights: weights.specs,
    optimizer: { className: optimizer.getClassName(), weights: optimizerEncoded.specs },
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

/** Restores weights (and the optimizer's state, when given one) into a freshly built model of the same spec. */
export async function loadCheckpoint(folder: string, model: tf.LayersModel, optimizer?: tf.Optimizer): Promise<number> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(folder, 'checkpoint.json'), 'utf8'));
  } catch (err) {
    throw new CheckpointError(`checkpoint ${folder} cannot be read: ${(err as Error).message}`);
  }
  if (manifest.format !== 'layerlab-checkpoint' || manifest.version !== 1) throw new CheckpointError(`${folder} is not a Layerlab checkpoint`);
  if (optimizer && manifest.optimizer.className !== optimizer.getClassName()) {
    throw new CheckpointError(`checkpoint ${folder} holds ${manifest.optimizer.className} state but the run uses ${optimizer.getClassName()}`);
  }
  const weights = tf.io.decodeWeights(toArrayBuffer(fs.readFileSync(path.join(folder, 'weights.bin'))), manifest.weights);
  const ordered = manifest.weights.map((spec) => weights[spec.name]);
  const expected = model.getWeights();
  if (ordered.length !== expected.length || ordered.some((t, i) => t.shape.join() !== expected[i].shape.join())) {
    tf.dispose(ordered);
    throw new CheckpointError(`checkpoint ${folder} does not match this model's architecture`);
  }
  model.setWeights(ordered);
  tf.dispose(ordered);
  if (!optimizer) return manifest.epoch;
  const optimizerTensors = tf.io.decodeWeights(
    toArrayBuffer(fs.readFileSync(path.join(folder, 'optimizer.bin'))),
    manifest.optimizer.weights,
  );
  // Optimizers match state to variables by position, so the order of the manifest is what matters.
  const named = manifest.optimizer.weights.map((spec) => ({ name: spec.name, tensor: optimizerTensors[spec.name] }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor)); // setWeights copied them into variables
  return manifest.epoch;
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
