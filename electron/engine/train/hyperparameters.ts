// Hyperparameters: defaults and validation. Every message names the field and the reason.
import type { Hyperparameters, OptimizerName } from '../types.ts';

export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'rmsprop'];

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0,
  batchSize: 32,
  epochs: 5,
  validationSplit: 0.1,
  trainSize: null,
  seed: 42,
};

export class HyperparameterError extends Error {
  constructor(readonly issues: { field: keyof Hyperparameters | string; message: string }[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'HyperparameterError';
  }
}

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** min is excluded (learning rate must be > 0). */
  exclusiveMin?: boolean;
  /** max is excluded (validation split must be < 1). */
  exclusiveMax?: boolean;
}

const RULES: Record<Exclude<keyof Hyperparameters, 'optimizer' | 'trainSize'>, NumberRule> = {
  learningRate: { min: 0, max: 10, exclusiveMin: true },
  momentum: { min: 0, max: 1, exclusiveMax: true },
  batchSize: { min: 1, max: 8192, integer: true },
  epochs: { min: 1, max: 1000, integer: true },
  validationSplit: { min: 0, max: 0.9 },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
};

function checkNumber(field: string, value: unknown, rule: NumberRule): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field} must be a number, got ${JSON.stringify(value)}`;
  if (rule.integer && !Number.isInteger(value)) return `${field} must be a whole number, got ${value}`;
  const low = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  const high = rule.exclusiveMax ? value >= rule.max : value > rule.max;
  if (low || high) {
    const lo = rule.exclusiveMin ? `greater than ${rule.min}` : `at least ${rule.min}`;
    const hi = rule.exclusiveMax ? `less than ${rule.max}` : `at most ${rule.max}`;
    return `${field} must be ${lo} and ${hi}, got ${value}`;
  }
  return null;
}

/**
 * Fills defaults and validates. `trainingSetSize` (when known) bounds trainSize and checks that the split
 * leaves at least one batch of training images.
 */
export function parseHyperparameters(input: unknown, trainingSetSize?: number): Hyperparameters {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new HyperparameterError([{ field: '(hyperparameters)', message: 'hyperparameters must be an object' }]);
  }
  const raw = input as Record<string, unknown>;
  const issues: { field: string; message: string }[] = [];
  for (const key of Object.keys(raw)) {
    if (!(key in DEFAULT_HYPERPARAMETERS)) issues.push({ field: key, message: `unknown hyperparameter '${key}' (known: ${Object.keys(DEFAULT_HYPERPARAMETERS).join(', ')})` });
  }
  const merged = { ...DEFAULT_HYPERPARAMETERS, ...Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) } as Hyperparameters;
  if (!OPTIMIZERS.includes(merged.optimizer)) {
    issues.push({ field: 'optimizer', message: `optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(merged.optimizer)}` });
  }
  for (const [field, rule] of Object.entries(RULES)) {
    const message = checkNumber(field, merged[field as keyof Hyperparameters], rule);
    if (message) issues.push({ field, message });
  }
  if (merged.trainSize !== null) {
    const max = trainingSetSize ?? 10_000_000;
    const message = checkNumber('trainSize', merged.trainSize, { min: 1, max, integer: true });
    if (message) issues.push({ field: 'trainSize', message: trainingSetSize ? `${message} (the training set has ${trainingSetSize} images)` : message });
  }
  if (issues.length === 0 && trainingSetSize !== undefined) {
    const used = merged.trainSize ?? trainingSetSize;
    const trainCount = used - Math.round(used * merged.validationSplit);
    if (trainCount < 1) issues.push({ field: 'validationSplit', message: `validationSplit ${merged.validationSplit} leaves no training images out of ${used}` });
    else if (merged.validationSplit > 0 && Math.round(used * merged.validationSplit) < 1) {
      issues.push({ field: 'validationSplit', message: `validationSplit ${merged.validationSplit} of ${used} images holds out no validation image` });
    }
  }
  if (issues.length) throw new HyperparameterError(issues);
  return merged;
}
