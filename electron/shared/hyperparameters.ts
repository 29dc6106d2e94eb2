// Hyperparameters: the one schema the engine, the CLI and the Train form share — names, labels, defaults,
// ranges — and their validation, so the form rejects exactly what the engine would. Every message names the
// field and the reason. Pure: no Node or browser APIs.

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = { adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop' };

export interface Hyperparameters {
  optimizer: OptimizerName;
  learningRate: number;
  /** Only used by sgd (classical momentum) and rmsprop. */
  momentum: number;
  batchSize: number;
  epochs: number;
  /** Fraction of the training subset held out for validation, 0 <= x < 1. */
  validationSplit: number;
  /** Number of training images used (before the validation split); null = the whole training set. */
  trainSize: number | null;
  seed: number;
  /** Training augmentation (0 = off; electron/engine/train/augment.ts): max rotation in degrees. */
  augmentRotation: number;
  /** Max zoom: each image is scaled by a factor in [1 − s, 1 + s]. */
  augmentScale: number;
  /** Max shift in pixels, along each axis. */
  augmentShift: number;
  /** Stroke thickening and thinning (morphological), 0–1: a blend towards the strokes grown or shrunk by a pixel. */
  augmentThickness: number;
  /** Elastic distortion: its largest displacement in pixels. */
  augmentElastic: number;
}

/** The augmentation hyperparameters; all 0 (the default) trains on the images as they are. */
export const AUGMENTATION_NAMES = [
  'augmentRotation',
  'augmentScale',
  'augmentShift',
  'augmentThickness',
  'augmentElastic',
] as const satisfies readonly (keyof Hyperparameters)[];
export type AugmentationName = (typeof AUGMENTATION_NAMES)[number];

/** Every augmentation off: also what a run recorded before augmentation existed trained with. */
export const NO_AUGMENTATION: Pick<Hyperparameters, AugmentationName> = {
  augmentRotation: 0,
  augmentScale: 0,
  augmentShift: 0,
  augmentThickness: 0,
  augmentElastic: 0,
};

export function usesAugmentation(h: Pick<Hyperparameters, AugmentationName>): boolean {
  return AUGMENTATION_NAMES.some((name) => h[name] > 0);
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0,
  batchSize: 32,
  epochs: 5,
  validationSplit: 0.1,
  trainSize: null,
  seed: 42,
  ...NO_AUGMENTATION,
};

/** The momentum the Train form starts with for an optimizer that uses it (the engine's default 0 means none). */
export const SUGGESTED_MOMENTUM = 0.9;

/** Only SGD (classical momentum) and RMSprop use momentum; Adam ignores it. */
export function usesMomentum(optimizer: OptimizerName): boolean {
  return optimizer === 'sgd' || optimizer === 'rmsprop';
}

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** min is excluded (learning rate must be > 0). */
  exclusiveMin?: boolean;
  /** max is excluded (momentum must be < 1). */
  exclusiveMax?: boolean;
}

/** Ranges of the numeric hyperparameters (trainSize is bounded by the dataset: see trainSizeRule). */
export const HYPERPARAMETER_RULES = {
  learningRate: { min: 0, max: 10, exclusiveMin: true },
  momentum: { min: 0, max: 1, exclusiveMax: true },
  batchSize: { min: 1, max: 8192, integer: true },
  epochs: { min: 1, max: 1000, integer: true },
  validationSplit: { min: 0, max: 0.9 },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  augmentRotation: { min: 0, max: 45 },
  augmentScale: { min: 0, max: 0.5 },
  augmentShift: { min: 0, max: 8 },
  augmentThickness: { min: 0, max: 1 },
  augmentElastic: { min: 0, max: 8 },
} as const satisfies Record<string, NumberRule>;

export type RuledField = keyof typeof HYPERPARAMETER_RULES;

/** trainSize: a whole number of images, at most the training set's size when that is known. */
export function trainSizeRule(trainingSetSize?: number | null): NumberRule {
  return { min: 1, max: trainingSetSize ?? 10_000_000, integer: true };
}

/** The range of a numeric hyperparameter (trainSize's without a known dataset), or null for the optimizer. */
export function ruleOf(name: keyof Hyperparameters): NumberRule | null {
  if (name === 'trainSize') return trainSizeRule();
  return Object.hasOwn(HYPERPARAMETER_RULES, name) ? HYPERPARAMETER_RULES[name as RuledField] : null;
}

export interface HyperparameterField {
  /** As the Train form, the Runs and the Compare screens show it. */
  label: string;
  /** The CLI option's description. */
  help: string;
  /** The Train form's note on the allowed values. */
  hint?: string;
  /** Shown in the Train form's Augmentation section. */
  group?: 'augmentation';
}

/** Every hyperparameter, in display order (the CLI's options, the form's fields, the Runs and Compare rows). */
export const HYPERPARAMETER_FIELDS: Record<keyof Hyperparameters, HyperparameterField> = {
  optimizer: { label: 'Optimizer', help: 'optimizer' },
  learningRate: { label: 'Learning rate', help: 'learning rate', hint: '> 0 and ≤ 10' },
  momentum: { label: 'Momentum', help: 'momentum (sgd, rmsprop)', hint: '0 ≤ m < 1' },
  batchSize: { label: 'Batch size', help: 'batch size', hint: '1–8192' },
  epochs: { label: 'Epochs', help: 'epochs', hint: '1–1000' },
  validationSplit: {
    label: 'Validation split',
    help: 'fraction of the training subset held out for validation',
    hint: '0–0.9 of the subset',
  },
  trainSize: { label: 'Training images', help: 'use only this many training images', hint: 'empty = all' },
  seed: {
    label: 'Seed',
    help: 'random seed (initial weights, subset, split, batch order, augmentation)',
    hint: '0–4294967295',
  },
  augmentRotation: {
    label: 'Rotation',
    help: 'augmentation: rotate each training image by up to this many degrees (0 = off)',
    hint: '0–45°',
    group: 'augmentation',
  },
  augmentScale: {
    label: 'Scale',
    help: 'augmentation: scale each training image by a factor in [1 - s, 1 + s] (0 = off)',
    hint: '0–0.5',
    group: 'augmentation',
  },
  augmentShift: {
    label: 'Shift',
    help: 'augmentation: shift each training image by up to this many pixels (0 = off)',
    hint: '0–8 px',
    group: 'augmentation',
  },
  augmentThickness: {
    label: 'Stroke thickness',
    help: 'augmentation: blend each image up to this much towards its strokes one pixel thicker or thinner on every edge (0 = off)',
    hint: '0–1',
    group: 'augmentation',
  },
  augmentElastic: {
    label: 'Elastic distortion',
    help: 'augmentation: elastic distortion moving pixels by up to this many pixels (0 = off)',
    hint: '0–8 px',
    group: 'augmentation',
  },
};

export const HYPERPARAMETER_NAMES = Object.keys(HYPERPARAMETER_FIELDS) as (keyof Hyperparameters)[];

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
  if (validationSplit > 0 && held < 1)
    return `validationSplit ${validationSplit} of ${used} images holds out no validation image`;
  return null;
}

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
  const known = Object.keys(DEFAULT_HYPERPARAMETERS);
  // Own keys only: 'constructor', 'toString' or '__proto__' are not hyperparameters, whatever objects inherit.
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(DEFAULT_HYPERPARAMETERS, key))
      issues.push({ field: key, message: `unknown hyperparameter '${key}' (known: ${known.join(', ')})` });
  }
  // Built from the known names alone, so nothing else can reach the stored record.
  const given = (key: string) =>
    Object.hasOwn(raw, key) && raw[key] !== undefined
      ? raw[key]
      : DEFAULT_HYPERPARAMETERS[key as keyof Hyperparameters];
  const merged = Object.fromEntries(known.map((key) => [key, given(key)])) as unknown as Hyperparameters;
  if (!OPTIMIZERS.includes(merged.optimizer)) {
    issues.push({
      field: 'optimizer',
      message: `optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(merged.optimizer)}`,
    });
  }
  for (const [field, rule] of Object.entries(HYPERPARAMETER_RULES)) {
    const problem = rangeProblem(merged[field as keyof Hyperparameters], rule);
    if (problem) issues.push({ field, message: `${field} ${problem}` });
  }
  if (merged.trainSize !== null) {
    const problem = rangeProblem(merged.trainSize, trainSizeRule(trainingSetSize));
    if (problem)
      issues.push({
        field: 'trainSize',
        message: `trainSize ${problem}${trainingSetSize ? ` (the training set has ${trainingSetSize} images)` : ''}`,
      });
  }
  if (issues.length === 0 && trainingSetSize !== undefined) {
    const problem = splitProblem(merged.trainSize ?? trainingSetSize, merged.validationSplit);
    if (problem) issues.push({ field: 'validationSplit', message: problem });
  }
  if (issues.length) throw new HyperparameterError(issues);
  return merged;
}
