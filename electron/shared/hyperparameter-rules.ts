// Ranges of the numeric hyperparameters and the one check both the engine and the renderer's form use,
// so the form rejects exactly what the engine would. Pure: no Node or browser APIs.

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** min is excluded (learning rate must be > 0). */
  exclusiveMin?: boolean;
  /** max is excluded (momentum must be < 1). */
  exclusiveMax?: boolean;
}

export const HYPERPARAMETER_RULES = {
  learningRate: { min: 0, max: 10, exclusiveMin: true },
  momentum: { min: 0, max: 1, exclusiveMax: true },
  batchSize: { min: 1, max: 8192, integer: true },
  epochs: { min: 1, max: 1000, integer: true },
  validationSplit: { min: 0, max: 0.9 },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
} as const satisfies Record<string, NumberRule>;

export type RuledField = keyof typeof HYPERPARAMETER_RULES;

/** Why `value` breaks `rule` ("must be a whole number", "must be greater than 0 and at most 10"), or null. */
export function rangeProblem(value: unknown, rule: NumberRule): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${JSON.stringify(value)}`;
  if (rule.integer && !Number.isInteger(value)) return `must be a whole number, got ${value}`;
  const low = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  const high = rule.exclusiveMax ? value >= rule.max : value > rule.max;
  if (!low && !high) return null;
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 20 });
  const lo = rule.exclusiveMin ? `greater than ${n(rule.min)}` : `at least ${n(rule.min)}`;
  const hi = rule.exclusiveMax ? `less than ${n(rule.max)}` : `at most ${n(rule.max)}`;
  return `must be ${lo} and ${hi}, got ${value}`;
}

/** Training and validation image counts a split leaves, or why it leaves none. */
export function splitProblem(used: number, validationSplit: number): string | null {
  const held = Math.round(used * validationSplit);
  if (used - held < 1) return `validationSplit ${validationSplit} leaves no training images out of ${used}`;
  if (validationSplit > 0 && held < 1) return `validationSplit ${validationSplit} of ${used} images holds out no validation image`;
  return null;
}
