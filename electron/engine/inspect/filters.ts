// inspect:filters: the learned kernels and biases of a run's Conv2D layers at one checkpoint, and how they changed
// since another. Read straight from the checkpoint's weights.bin (its size and checksum checked), without building
// a model or touching a backend: the run's spec says where each layer's weights sit in the file.
//
// A checkpoint holds the weights in model.getWeights() order: every layer's trainable weights in layer order
// (Conv2D and Dense: kernel, then bias when useBias; BatchNormalization: gamma, beta), then every layer's
// non-trainable ones (BatchNormalization: moving mean, moving variance). test/inspect-filters.test.ts checks this
// layout against what tfjs builds.
import type { ConvFilters, FilterInspection, ParsedRequestOf } from '#shared/contract.ts';
import { parseSpec, type ModelSpec, type NormalizedLayerSpec } from '#shared/model/spec.ts';
import { runCheckpoint } from '../model/run-model.ts';
import { StoreError, type Store } from '../store/index.ts';
import { CheckpointError, readDataFile, readManifest } from '../train/checkpoint-files.ts';

export interface WeightSlot {
  /** Position in spec.layers. */
  layer: number;
  role: 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';
  shape: number[];
}

/** Where each weight of a spec's model sits in a checkpoint, in order. */
export function checkpointLayout(spec: ModelSpec, numClasses: number): WeightSlot[] {
  const { spec: normalized, layers: reports } = parseSpec(spec, { numClasses });
  const trainable: WeightSlot[] = [];
  const fixed: WeightSlot[] = [];
  (normalized.layers as NormalizedLayerSpec[]).forEach((layer, index) => {
    const input = index === 0 ? normalized.inputShape : reports[index - 1].outputShape;
    const channels = input[input.length - 1];
    if (layer.type === 'Conv2D') {
      trainable.push({ layer: index, role: 'kernel', shape: [...layer.kernelSize, channels, layer.filters] });
      if (layer.useBias) trainable.push({ layer: index, role: 'bias', shape: [layer.filters] });
    } else if (layer.type === 'Dense') {
      trainable.push({ layer: index, role: 'kernel', shape: [channels, layer.units] });
      if (layer.useBias) trainable.push({ layer: index, role: 'bias', shape: [layer.units] });
    } else if (layer.type === 'BatchNormalization') {
      trainable.push(
        { layer: index, role: 'gamma', shape: [channels] },
        { layer: index, role: 'beta', shape: [channels] },
      );
      fixed.push(
        { layer: index, role: 'movingMean', shape: [channels] },
        { layer: index, role: 'movingVariance', shape: [channels] },
      );
    }
  });
  return [...trainable, ...fixed];
}

/** A checkpoint's weights as float32 arrays, in the layout's order; refused when the file does not fit the layout. */
export function readCheckpointWeights(folder: string, layout: readonly WeightSlot[]): Float32Array[] {
  const manifest = readManifest(folder);
  const entries = manifest.weights;
  const shapesMatch =
    entries.length === layout.length && entries.every((entry, i) => entry.shape.join() === layout[i].shape.join());
  if (!shapesMatch) throw new CheckpointError(`checkpoint ${folder} does not match this run's architecture`);
  const bad = entries.find((entry) => entry.dtype !== 'float32' || entry.quantization);
  if (bad) throw new CheckpointError(`checkpoint ${folder}: weight ${bad.name} is not plain float32`);
  const data = readDataFile(folder, manifest, 'weights.bin');
  let offset = 0;
  return layout.map((slot) => {
    const bytes = slot.shape.reduce((a, b) => a * b, 1) * 4;
    // A copy into its own buffer: aligned, and not a view of the whole file.
    const values = new Float32Array(new Uint8Array(data.subarray(offset, offset + bytes)).buffer);
    offset += bytes;
    return values;
  });
}

export function inspectFilters(store: Store, request: ParsedRequestOf<'inspect:filters'>): FilterInspection {
  const { runId } = request;
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  const checkpoint = runCheckpoint(store, runId, request.epoch, 'epoch');
  const compare =
    request.compareEpoch === undefined ? null : runCheckpoint(store, runId, request.compareEpoch, 'compareEpoch');
  const layout = checkpointLayout(run.spec, run.dataset.classes.length);
  const weights = readCheckpointWeights(checkpoint.path, layout);
  const before = compare ? readCheckpointWeights(compare.path, layout) : null;
  const slotOf = (layer: number, role: WeightSlot['role']) =>
    layout.findIndex((slot) => slot.layer === layer && slot.role === role);
  const layers: ConvFilters[] = [];
  run.spec.layers.forEach((layer, index) => {
    if (layer.type !== 'Conv2D') return;
    const k = slotOf(index, 'kernel');
    const b = slotOf(index, 'bias');
    const [kh, kw, inChannels, filters] = layout[k].shape;
    const kernel = weights[k];
    const bias = b >= 0 ? weights[b] : null;
    let maxAbs = 0;
    for (const v of kernel) maxAbs = Math.max(maxAbs, Math.abs(v));
    layers.push({
      index,
      kernelSize: [kh, kw],
      inChannels,
      filters,
      parameters: kernel.length + (bias?.length ?? 0),
      kernel,
      bias,
      maxAbs,
      change: before && compare ? kernelChange(kernel, before[k], filters, compare.epoch) : null,
    });
  });
  return {
    runId,
    epoch: checkpoint.epoch,
    compareEpoch: compare?.epoch ?? null,
    epochs: store
      .listCheckpoints(runId)
      .map((c) => c.epoch)
      .sort((a, b) => a - b),
    layers,
  };
}

/** This kernel minus the earlier one, and the mean |difference| per filter (the last axis) and over the layer. */
function kernelChange(
  kernel: Float32Array,
  earlier: Float32Array,
  filters: number,
  fromEpoch: number,
): NonNullable<ConvFilters['change']> {
  const delta = new Float32Array(kernel.length);
  const perFilter = new Float64Array(filters);
  let total = 0;
  for (let i = 0; i < kernel.length; i++) {
    delta[i] = kernel[i] - earlier[i];
    const size = Math.abs(delta[i]);
    perFilter[i % filters] += size;
    total += size;
  }
  const perFilterCount = kernel.length / filters;
  return {
    fromEpoch,
    delta,
    meanAbsPerFilter: Array.from(perFilter, (sum) => sum / perFilterCount),
    meanAbs: kernel.length ? total / kernel.length : 0,
  };
}
