// Hyperparameters: defaults and validation. Every message names the field and the reason.
import type { Hyperparameters, OptimizerName } from '../types.ts';
import { HYPERPARAMETER_RULES, rangeProblem, splitProblem } from '../../shared/hyperparameter-rules.ts';

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
  for (const [field, rule] of Object.entries(HYPERPARAMETER_RULES)) {
    const problem = rangeProblem(merged[field as keyof Hyperparameters], rule);
    if (problem) issues.push({ field, message: `${field} ${problem}` });
  }
  if (merged.trainSize !== null) {
    const problem = rangeProblem(merged.trainSize, { min: 1, max: trainingSetSize ?? 10_000_000, integer: true });
    if (problem) issues.push({ field: 'trainSize', message: `trainSize ${problem}${trainingSetSize ? ` (the training set has ${trainingSetSize} images)` : ''}` });
  }
  if (issues.length === 0 && trainingSetSize !== undefined) {
    const problem = splitProblem(merged.trainSize ?? trainingSetSize, merged.validationSplit);
    if (problem) issues.push({ field: 'validationSplit', message: problem });
  }
  if (issues.length) throw new HyperparameterError(issues);
  return merged;
}
