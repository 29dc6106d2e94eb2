// How a tfjs model's weights map onto a compiled graph's variables ("l<layer>/<role>"), so that both trainers
// start from the same seeded initial weights and write checkpoints in one format.
import * as tf from '@tensorflow/tfjs';

/** Graph variable ids in the order of `weights` (model.getWeights(), model.trainableWeights, …). */
export function graphIdsOf(model: tf.LayersModel, weights: { name: string }[] = model.weights): string[] {
  const ids = new Map<string, string>();
  model.layers.forEach((layer, i) => {
    for (const w of layer.weights) ids.set(w.name, `l${i}/${w.name.slice(w.name.lastIndexOf('/') + 1)}`);
  });
  return weights.map((w) => {
    const id = ids.get(w.name);
    if (!id) throw new Error(`model weight ${w.name} belongs to no layer`);
    return id;
  });
}
