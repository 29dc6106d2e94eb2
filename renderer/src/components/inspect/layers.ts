// The layer list of the inside view: each layer's output as the kind of picture that suits it (a grid of maps, a
// row of bars, the class probabilities), and layers whose output is the previous output again (Dropout switched
// off at inference, a Flatten, which only lays the same numbers out in a row) folded into a one-line note instead
// of a second copy of a big grid. Also: which layer of another run's design stands beside a picked one.
import type { LayerActivation, ModelInspection } from '#shared/contract.ts';
import type { LayerSpec, ModelSpec } from '#shared/model/index.ts';
import { LAYER_LABELS, summarize, type EditableLayer } from '../design/layers.ts';
import { sameValues } from './tensors.ts';

/** Activation colours: one scale per layer (maps compare) or one per map (each map's own pattern shows). */
export type ScaleMode = 'layer' | 'map';

interface ViewBase {
  /** 1-based, as the Design screen numbers layers. */
  position: number;
  activation: LayerActivation;
  /** "Conv2D", "MaxPool", … */
  title: string;
  /** "32 filters 3×3 relu" */
  settings: string;
  /** "26×26×32" */
  shapeText: string;
}

export type LayerView =
  | (ViewBase & { kind: 'maps'; height: number; width: number; channels: number })
  | (ViewBase & { kind: 'vector' })
  | (ViewBase & { kind: 'output'; softmax: boolean })
  | (ViewBase & { kind: 'same'; sameAs: string; why: string });

export const shapeText = (shape: readonly number[]) => shape.join('×');

export function layerTitle(type: string): string {
  return (LAYER_LABELS as Record<string, string>)[type] ?? type;
}

export function layerSettings(layer: LayerSpec | undefined): string {
  if (!layer) return '';
  try {
    return summarize(layer as EditableLayer);
  } catch {
    return '';
  }
}

/** The views of every layer of an inspection, in order. */
export function layerViews(inspection: ModelInspection, spec: ModelSpec | undefined): LayerView[] {
  const views: LayerView[] = [];
  const last = inspection.layers.length - 1;
  let previous: { values: ArrayLike<number>; label: string; shape: number[] } = {
    values: inspection.input,
    label: 'the input',
    shape: spec?.inputShape ?? [28, 28, 1],
  };
  inspection.layers.forEach((activation, i) => {
    const layer = spec?.layers[activation.index];
    const base: ViewBase = {
      position: activation.index + 1,
      activation,
      title: layerTitle(activation.type),
      settings: layerSettings(layer),
      shapeText: shapeText(activation.shape),
    };
    const label = `layer ${base.position} ${base.title}`;
    if (i === last && activation.shape.length === 1) {
      const softmax = layer?.type === 'Dense' ? (layer.activation ?? 'linear') === 'softmax' : true;
      views.push({ ...base, kind: 'output', softmax });
    } else if (sameValues(activation.values, previous.values)) {
      views.push({ ...base, kind: 'same', sameAs: previous.label, why: sameWhy(activation.type, previous) });
      // Later identical layers point at the picture actually shown.
      return;
    } else if (activation.shape.length === 3) {
      const [height, width, channels] = activation.shape;
      views.push({ ...base, kind: 'maps', height, width, channels });
    } else {
      views.push({ ...base, kind: 'vector' });
    }
    previous = { values: activation.values, label, shape: activation.shape };
  });
  return views;
}

function sameWhy(type: string, previous: { label: string; shape: number[] }): string {
  const source = previous.label === 'the input' ? 'the input' : previous.label;
  if (type === 'Dropout')
    return `Dropout only acts while training; when the model predicts it passes ${source} through unchanged.`;
  if (type === 'Flatten') {
    const count = previous.shape.reduce((a, b) => a * b, 1);
    return `Flatten lays the ${shapeText(previous.shape)} values of ${source} out in one row of ${count.toLocaleString('en-US')}: the same numbers, drawn above.`;
  }
  return `Its output is the output of ${source} again, drawn above.`;
}

/** A layer of a design, for matching: its type, and which of that type it is (0: the first Conv2D). */
export interface LayerKey {
  index: number;
  type: string;
  occurrence: number;
}

export function layerKeys(spec: ModelSpec): LayerKey[] {
  const seen = new Map<string, number>();
  return spec.layers.map((layer, index) => {
    const occurrence = seen.get(layer.type) ?? 0;
    seen.set(layer.type, occurrence + 1);
    return { index, type: layer.type, occurrence };
  });
}

export interface LayerMatch {
  /** The layer of the other design, or null when it has none to match. */
  index: number | null;
  /** How it was found: the same position and type, the same n-th layer of that type, or the output layer. */
  by: 'position' | 'type' | 'output' | null;
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st… */
export function ordinal(n: number): string {
  const suffixes = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${suffixes[(v - 20) % 10] ?? suffixes[v] ?? suffixes[0]}`;
}

/** Which layer of `other` to show beside layer `index` of `spec`. */
export function matchLayer(spec: ModelSpec, index: number, other: ModelSpec): LayerMatch {
  if (index === spec.layers.length - 1) return { index: other.layers.length - 1, by: 'output' };
  const key = layerKeys(spec)[index];
  if (!key) return { index: null, by: null };
  const found = layerKeys(other).find((k) => k.type === key.type && k.occurrence === key.occurrence);
  if (!found || found.index === other.layers.length - 1) return { index: null, by: null };
  return { index: found.index, by: found.index === index ? 'position' : 'type' };
}

/** Whether two designs have the same layer types in the same order. */
export function sameLayout(a: ModelSpec, b: ModelSpec): boolean {
  return a.layers.length === b.layers.length && a.layers.every((layer, i) => layer.type === b.layers[i].type);
}

/** What the side-by-side view says about how layer `index` of run A was matched in run B. */
export function matchNote(
  spec: ModelSpec,
  index: number,
  other: ModelSpec,
  match: LayerMatch,
  names: [string, string],
): string {
  const type = layerTitle(spec.layers[index]?.type ?? '');
  const occurrence = layerKeys(spec)[index]?.occurrence ?? 0;
  const [a, b] = names;
  if (match.by === null)
    return `${b} has no ${ordinal(occurrence + 1)} ${type} layer to show beside ${a}'s layer ${index + 1}.`;
  if (match.by === 'output')
    return `Both runs' output layers: layer ${index + 1} of ${a}, layer ${match.index! + 1} of ${b}.`;
  if (sameLayout(spec, other)) return '';
  if (match.by === 'position')
    return `The designs differ; layer ${index + 1} is a ${type} in both, shown side by side.`;
  return `The designs differ, so layers are matched by type: the ${ordinal(occurrence + 1)} ${type} of each, layer ${index + 1} of ${a} and layer ${match.index! + 1} of ${b}.`;
}
