// Hyperparameters: the one schema the engine, the CLI and the Train form share — names, labels, defaults,
// ranges — and their validation, so the form rejects exactly what the engine would. Every message names the
// field and the reason. Pure: no Node or browser APIs.

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = { adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop' };

/** What early stopping watches after every epoch's validation; 'off' trains every epoch. */
export const EARLY_STOPPING_MONITORS = ['off', 'val_loss', 'val_accuracy'] as const;
export type EarlyStoppingMonitor = (typeof EARLY_STOPPING_MONITORS)[number];
export const EARLY_STOPPING_LABELS: Record<EarlyStoppingMonitor, string> = {
  off: 'Off',
  val_loss: 'Validation loss',
  val_accuracy: 'Validation accuracy',
};

/**
 * How the learning rate moves during a run (electron/engine/train/schedule.ts computes it): constant; step
 * (× lrStepFactor every lrStepEpochs epochs); exponential (× lrDecayRate per epoch, applied smoothly at every
 * step); cosine (from learningRate down to lrMinimum over the run's steps); plateau (× lrPlateauFactor when the
 * validation loss has not improved for lrPlateauPatience epochs, never below lrMinimum).
 */
export const LR_SCHEDULES = ['constant', 'step', 'exponential', 'cosine', 'plateau'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];
export const LR_SCHEDULE_LABELS: Record<LrScheduleName, string> = {
  constant: 'Constant',
  step: 'Step',
  exponential: 'Exponential',
  cosine: 'Cosine',
  plateau: 'Reduce on plateau',
};

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
  /** Early stopping's monitor ('off' = train every epoch); needs a validation split. */
  earlyStopping: EarlyStoppingMonitor;
  /** Epochs without an improvement of at least earlyStoppingMinDelta before the run ends. */
  earlyStoppingPatience: number;
  /** The smallest change of the monitored value that counts as an improvement. */
  earlyStoppingMinDelta: number;
  /** End with the best epoch's weights (evaluated, exported, drawn with), not the last epoch's. */
  earlyStoppingRestoreBest: boolean;
  lrSchedule: LrScheduleName;
  /** step: the rate is multiplied by lrStepFactor every this many epochs. */
  lrStepEpochs: number;
  lrStepFactor: number;
  /** exponential: the factor per epoch, applied a fraction at every step (lr · rate^(step / batches per epoch)). */
  lrDecayRate: number;
  /** cosine: the rate the run's last step reaches; plateau: the rate it is never lowered below. */
  lrMinimum: number;
  /** plateau: the factor applied when the validation loss stalls. */
  lrPlateauFactor: number;
  /** plateau: epochs without improvement before the rate is lowered. */
  lrPlateauPatience: number;
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

export const EARLY_STOPPING_NAMES = [
  'earlyStopping',
  'earlyStoppingPatience',
  'earlyStoppingMinDelta',
  'earlyStoppingRestoreBest',
] as const satisfies readonly (keyof Hyperparameters)[];
export type EarlyStoppingName = (typeof EARLY_STOPPING_NAMES)[number];

/** Early stopping off: also what a run recorded before early stopping existed trained with. */
export const NO_EARLY_STOPPING: Pick<Hyperparameters, EarlyStoppingName> = {
  earlyStopping: 'off',
  earlyStoppingPatience: 3,
  earlyStoppingMinDelta: 0,
  earlyStoppingRestoreBest: true,
};

export const LR_SCHEDULE_NAMES = [
  'lrSchedule',
  'lrStepEpochs',
  'lrStepFactor',
  'lrDecayRate',
  'lrMinimum',
  'lrPlateauFactor',
  'lrPlateauPatience',
] as const satisfies readonly (keyof Hyperparameters)[];
export type LrScheduleField = (typeof LR_SCHEDULE_NAMES)[number];

/** A constant learning rate: also what a run recorded before schedules existed trained with. */
export const CONSTANT_LEARNING_RATE: Pick<Hyperparameters, LrScheduleField> = {
  lrSchedule: 'constant',
  lrStepEpochs: 2,
  lrStepFactor: 0.5,
  lrDecayRate: 0.9,
  lrMinimum: 0,
  lrPlateauFactor: 0.5,
  lrPlateauPatience: 2,
};

/** Each schedule's own settings, in display order (the others are not used by it). */
export const LR_SCHEDULE_PARAMETERS: Record<LrScheduleName, readonly Exclude<LrScheduleField, 'lrSchedule'>[]> = {
  constant: [],
  step: ['lrStepEpochs', 'lrStepFactor'],
  exponential: ['lrDecayRate'],
  cosine: ['lrMinimum'],
  plateau: ['lrPlateauFactor', 'lrPlateauPatience', 'lrMinimum'],
};

/** Whether training reads this hyperparameter, given the choices that switch others on (momentum, schedules, …). */
export function hyperparameterInUse(
  name: keyof Hyperparameters,
  h: Pick<Hyperparameters, 'optimizer' | 'earlyStopping' | 'lrSchedule'>,
): boolean {
  if (name === 'momentum') return usesMomentum(h.optimizer);
  if (name !== 'earlyStopping' && (EARLY_STOPPING_NAMES as readonly string[]).includes(name))
    return h.earlyStopping !== 'off';
  if (name !== 'lrSchedule' && (LR_SCHEDULE_NAMES as readonly string[]).includes(name))
    return ((LR_SCHEDULE_PARAMETERS[h.lrSchedule] ?? []) as readonly string[]).includes(name);
  return true;
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
  ...NO_EARLY_STOPPING,
  ...CONSTANT_LEARNING_RATE,
};

/** What a stored run lacks because it was recorded before these hyperparameters existed: each one off. */
export const ADDED_HYPERPARAMETERS_OFF = { ...NO_AUGMENTATION, ...NO_EARLY_STOPPING, ...CONSTANT_LEARNING_RATE };

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
  earlyStoppingPatience: { min: 1, max: 1000, integer: true },
  earlyStoppingMinDelta: { min: 0, max: 1 },
  lrStepEpochs: { min: 1, max: 1000, integer: true },
  lrStepFactor: { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true },
  lrDecayRate: { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true },
  lrMinimum: { min: 0, max: 10 },
  lrPlateauFactor: { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true },
  lrPlateauPatience: { min: 1, max: 1000, integer: true },
} as const satisfies Record<string, NumberRule>;

export type RuledField = keyof typeof HYPERPARAMETER_RULES;

/** trainSize: a whole number of images, at most the training set's size when that is known. */
export function trainSizeRule(trainingSetSize?: number | null): NumberRule {
  return { min: 1, max: trainingSetSize ?? 10_000_000, integer: true };
}

/** The range of a numeric hyperparameter (trainSize's without a known dataset), or null for a choice. */
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
  /** Shown in the Train form's Augmentation, Early stopping or Learning rate schedule section. */
  group?: 'augmentation' | 'earlyStopping' | 'lrSchedule';
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
  earlyStopping: {
    label: 'Early stopping',
    help: 'end the run when this validation metric stops improving: off, val_loss or val_accuracy (needs a validation split)',
    group: 'earlyStopping',
  },
  earlyStoppingPatience: {
    label: 'Patience',
    help: 'early stopping: epochs without improvement before the run ends',
    hint: '1–1000 epochs',
    group: 'earlyStopping',
  },
  earlyStoppingMinDelta: {
    label: 'Min delta',
    help: 'early stopping: the smallest change that counts as an improvement (loss, or accuracy as a fraction)',
    hint: '0–1',
    group: 'earlyStopping',
  },
  earlyStoppingRestoreBest: {
    label: 'Restore best weights',
    help: "early stopping: end with the best epoch's weights (evaluated, exported, drawn with)",
    group: 'earlyStopping',
  },
  lrSchedule: {
    label: 'Learning rate schedule',
    help: 'how the learning rate changes: constant, step, exponential, cosine or plateau (reduce on plateau of the validation loss)',
    group: 'lrSchedule',
  },
  lrStepEpochs: {
    label: 'Step every',
    help: 'step schedule: multiply the learning rate by the step factor every this many epochs',
    hint: '1–1000 epochs',
    group: 'lrSchedule',
  },
  lrStepFactor: {
    label: 'Step factor',
    help: 'step schedule: the factor applied at every step',
    hint: '0 < f < 1',
    group: 'lrSchedule',
  },
  lrDecayRate: {
    label: 'Decay per epoch',
    help: 'exponential schedule: the factor per epoch, applied smoothly at every batch (lr × rate^(batch / batches per epoch))',
    hint: '0 < r < 1',
    group: 'lrSchedule',
  },
  lrMinimum: {
    label: 'Minimum learning rate',
    help: 'cosine schedule: the rate the last batch reaches; plateau: the rate it never goes below',
    hint: '0 ≤ min < learning rate',
    group: 'lrSchedule',
  },
  lrPlateauFactor: {
    label: 'Plateau factor',
    help: 'plateau schedule: the factor applied when the validation loss stalls',
    hint: '0 < f < 1',
    group: 'lrSchedule',
  },
  lrPlateauPatience: {
    label: 'Plateau patience',
    help: 'plateau schedule: epochs without a validation-loss improvement before the rate is lowered',
    hint: '1–1000 epochs',
    group: 'lrSchedule',
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

/**
 * Settings that are each valid but not together: early stopping and the plateau schedule watch the validation
 * set, so they need a validation split; cosine and plateau need a minimum below the starting rate.
 */
export function combinationProblems(
  h: Pick<Hyperparameters, 'earlyStopping' | 'lrSchedule' | 'validationSplit' | 'lrMinimum' | 'learningRate'>,
): { field: keyof Hyperparameters; message: string }[] {
  const issues: { field: keyof Hyperparameters; message: string }[] = [];
  if (h.earlyStopping !== 'off' && h.validationSplit === 0)
    issues.push({
      field: 'earlyStopping',
      message: `earlyStopping ${h.earlyStopping} needs a validation set, but validationSplit is 0 (hold out some training images, or turn early stopping off)`,
    });
  if (h.lrSchedule === 'plateau' && h.validationSplit === 0)
    issues.push({
      field: 'lrSchedule',
      message:
        'lrSchedule plateau watches the validation loss and needs a validation set, but validationSplit is 0 (hold out some training images, or choose another schedule)',
    });
  if ((h.lrSchedule === 'cosine' || h.lrSchedule === 'plateau') && h.lrMinimum >= h.learningRate)
    issues.push({
      field: 'lrMinimum',
      message: `lrMinimum ${h.lrMinimum} must be less than learningRate ${h.learningRate} for the ${h.lrSchedule} schedule`,
    });
  return issues;
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
  const choice = <T extends string>(field: keyof Hyperparameters, allowed: readonly T[]) => {
    if (!allowed.includes(merged[field] as T))
      issues.push({
        field,
        message: `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(merged[field])}`,
      });
  };
  choice('earlyStopping', EARLY_STOPPING_MONITORS);
  choice('lrSchedule', LR_SCHEDULES);
  if (typeof merged.earlyStoppingRestoreBest !== 'boolean')
    issues.push({
      field: 'earlyStoppingRestoreBest',
      message: `earlyStoppingRestoreBest must be true or false, got ${JSON.stringify(merged.earlyStoppingRestoreBest)}`,
    });
  for (const [field, rule] of Object.entries(HYPERPARAMETER_RULES)) {
    const problem = rangeProblem(merged[field as keyof Hyperparameters], rule);
    if (problem) issues.push({ field, message: `${field} ${problem}` });
  }
  if (issues.length === 0) issues.push(...combinationProblems(merged));
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
