// Text of the spec format: shapes as they appear in messages ("2x2x64"), the architecture string
// ("C32-P-C64-P-C64-F-D64-D10") used by the CLI, the Runs and Compare screens and the design lists, values
// as messages quote them, and the "did you mean" suggestions.
import { isPlainObject } from './guards.ts';
import type { ModelSpec } from './types.ts';

/** "2x2x64" — the way shapes appear in messages; the app passes '×' ("2×2×64"). */
export function formatShape(shape: readonly number[], times = 'x'): string {
  return shape.join(times);
}

/**
 * Short architecture summary for tables: "C32-P-C64-P-C64-F-D64-D10".
 * C=Conv2D(filters), P=MaxPooling2D, AP=AveragePooling2D, BN=BatchNormalization,
 * Drop=Dropout(rate), F=Flatten, D=Dense(units).
 */
export function describeArchitecture(spec: ModelSpec): string {
  const layers: unknown[] = Array.isArray(spec?.layers) ? spec.layers : [];
  return layers
    .map((layer) => {
      const l = (isPlainObject(layer) ? layer : {}) as Record<string, unknown>;
      switch (l.type) {
        case 'Conv2D':
          return `C${l.filters}`;
        case 'MaxPooling2D':
          return 'P';
        case 'AveragePooling2D':
          return 'AP';
        case 'BatchNormalization':
          return 'BN';
        case 'Dropout':
          return `Drop${l.rate}`;
        case 'Flatten':
          return 'F';
        case 'Dense':
          return `D${l.units}`;
        default:
          return '?';
      }
    })
    .join('-');
}

/** Lower-case without separators, so kernel_size, KernelSize and kernelSize compare equal. */
export function simplify(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** The candidate the user most likely meant, or null when none is close. */
export function suggestName(name: string, candidates: readonly string[]): string | null {
  const wanted = simplify(name);
  if (wanted === '') return null;
  const exact = candidates.find((c) => simplify(c) === wanted);
  if (exact) return exact;
  // Short names tolerate one typo, longer ones two; the closest candidate wins.
  const tolerance = wanted.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = tolerance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, simplify(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best) return best;
  // A truncated name ("kernel", "act") is a prefix of what was meant.
  return wanted.length >= 3 ? (candidates.find((c) => simplify(c).startsWith(wanted)) ?? null) : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A value as it appears in messages: numbers bare, strings quoted, long JSON cut short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
