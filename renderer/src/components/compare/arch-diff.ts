// Aligns two runs' layer lists: a longest common subsequence on whole layers (type and every setting,
// defaults filled in), then within each gap between matched layers, layers of the same type are paired
// as "changed" (with the differing fields named) and the rest count as removed or added.
import { withDefaults, type LayerSpec, type ModelSpec } from '#shared/model/index.ts';

export interface LayerView {
  type: string;
  /** Settings in a fixed order, defaults filled in, sizes as "3×3". */
  fields: [name: string, value: string][];
}

export type DiffRow =
  | { kind: 'same'; base: LayerView; other: LayerView; baseIndex: number; otherIndex: number }
  | { kind: 'changed'; base: LayerView; other: LayerView; baseIndex: number; otherIndex: number; changed: string[] }
  | { kind: 'removed'; base: LayerView; baseIndex: number }
  | { kind: 'added'; other: LayerView; otherIndex: number };

type Pair = number | [number, number] | undefined;

function size(value: Pair, fallback: string): string {
  if (value === undefined) return fallback;
  const [h, w] = Array.isArray(value) ? value : [value, value];
  return `${h}×${w}`;
}

/**
 * Fields with the engine's defaults filled in (withDefaults), sizes as pairs, so `kernelSize: 3` equals
 * `kernelSize: [3, 3]` and an omitted `padding` equals `'valid'`.
 */
export function describeLayer(spec: LayerSpec): LayerView {
  const layer = withDefaults(spec);
  const l = layer as unknown as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null ? '?' : String(v));
  switch (layer.type) {
    case 'Conv2D':
      return {
        type: layer.type,
        fields: [
          ['filters', text(layer.filters)],
          ['kernel', size(layer.kernelSize, '?')],
          ['strides', size(layer.strides, '?')],
          ['padding', text(layer.padding)],
          ['activation', text(layer.activation)],
          ['bias', text(layer.useBias)],
        ],
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return {
        type: layer.type,
        fields: [
          ['pool', size(layer.poolSize, '?')],
          ['strides', size(layer.strides, '?')],
          ['padding', text(layer.padding)],
        ],
      };
    case 'Dropout':
      return { type: layer.type, fields: [['rate', text(layer.rate)]] };
    case 'BatchNormalization':
      return {
        type: layer.type,
        fields: [
          ['momentum', text(layer.momentum)],
          ['epsilon', text(layer.epsilon)],
        ],
      };
    case 'Flatten':
      return { type: layer.type, fields: [] };
    case 'Dense':
      return {
        type: layer.type,
        fields: [
          ['units', text(layer.units)],
          ['activation', text(layer.activation)],
          ['bias', text(layer.useBias)],
        ],
      };
    default:
      return {
        type: String(l.type),
        fields: Object.entries(l)
          .filter(([k]) => k !== 'type')
          .map(([k, v]) => [k, JSON.stringify(v)]),
      };
  }
}

const keyOf = (view: LayerView) => `${view.type}(${view.fields.map(([k, v]) => `${k}=${v}`).join(',')})`;

function changedFields(a: LayerView, b: LayerView): string[] {
  const names = new Set([...a.fields, ...b.fields].map(([k]) => k));
  const value = (view: LayerView, name: string) => view.fields.find(([k]) => k === name)?.[1];
  return [...names].filter((name) => value(a, name) !== value(b, name));
}

export function diffArchitectures(base: ModelSpec, other: ModelSpec): DiffRow[] {
  const a = (base.layers ?? []).map(describeLayer);
  const b = (other.layers ?? []).map(describeLayer);
  const ka = a.map(keyOf);
  const kb = b.map(keyOf);
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]; specs have at most 100 layers.
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = ka[i] === kb[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const rows: DiffRow[] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const flushGap = () => {
    // Pair each removed layer with the next added layer of the same type, keeping both orders.
    let next = 0;
    const pairs = new Map<number, number>();
    for (const i of removed) {
      const found = added.findIndex((j, index) => index >= next && b[j].type === a[i].type);
      if (found >= 0) {
        pairs.set(i, added[found]);
        next = found + 1;
      }
    }
    const pairedAdded = new Set(pairs.values());
    let ai = 0;
    for (const i of removed) {
      const j = pairs.get(i);
      if (j === undefined) {
        rows.push({ kind: 'removed', base: a[i], baseIndex: i });
        continue;
      }
      // Added layers that come before this pair's partner are shown before the changed row.
      while (ai < added.length && added[ai] < j) {
        if (!pairedAdded.has(added[ai])) rows.push({ kind: 'added', other: b[added[ai]], otherIndex: added[ai] });
        ai++;
      }
      ai++;
      rows.push({
        kind: 'changed',
        base: a[i],
        other: b[j],
        baseIndex: i,
        otherIndex: j,
        changed: changedFields(a[i], b[j]),
      });
    }
    for (; ai < added.length; ai++)
      if (!pairedAdded.has(added[ai])) rows.push({ kind: 'added', other: b[added[ai]], otherIndex: added[ai] });
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && ka[i] === kb[j]) {
      flushGap();
      rows.push({ kind: 'same', base: a[i], other: b[j], baseIndex: i, otherIndex: j });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      added.push(j++);
    } else {
      removed.push(i++);
    }
  }
  flushGap();
  return rows;
}

export function diffSummary(rows: DiffRow[]): { added: number; removed: number; changed: number } {
  return {
    added: rows.filter((r) => r.kind === 'added').length,
    removed: rows.filter((r) => r.kind === 'removed').length,
    changed: rows.filter((r) => r.kind === 'changed').length,
  };
}
