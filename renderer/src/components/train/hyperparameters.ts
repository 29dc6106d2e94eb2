// The hyperparameter form's values and their validation, with the engine's own schema, defaults and ranges
// (electron/shared/hyperparameters.ts), so mistakes are caught while typing; the engine still validates and
// its field errors are shown at the same fields.
import {
  AUGMENTATION_NAMES,
  combinationProblems,
  DEFAULT_HYPERPARAMETERS,
  HYPERPARAMETER_NAMES,
  HYPERPARAMETER_RULES,
  hyperparameterInUse,
  rangeProblem,
  splitProblem,
  SUGGESTED_MOMENTUM,
  trainSizeRule,
  usesMomentum,
  type AugmentationName,
  type EarlyStoppingMonitor,
  type Hyperparameters,
  type LrScheduleName,
  type NumberRule,
  type OptimizerName,
  type RuledField,
} from '#shared/hyperparameters.ts';

/** Text as typed: numbers are parsed on validation so a half-typed "0." is not rejected mid-keystroke. */
export interface HyperparameterFields {
  optimizer: OptimizerName;
  learningRate: string;
  momentum: string;
  batchSize: string;
  epochs: string;
  validationSplit: string;
  /** Empty = the whole training set. */
  trainSize: string;
  seed: string;
  augmentRotation: string;
  augmentScale: string;
  augmentShift: string;
  augmentThickness: string;
  augmentElastic: string;
  earlyStopping: EarlyStoppingMonitor;
  earlyStoppingPatience: string;
  earlyStoppingMinDelta: string;
  earlyStoppingRestoreBest: boolean;
  lrSchedule: LrScheduleName;
  lrStepEpochs: string;
  lrStepFactor: string;
  lrDecayRate: string;
  lrMinimum: string;
  lrPlateauFactor: string;
  lrPlateauPatience: string;
}

/** The settings that are text boxes (numbers as typed), in display order; the others are choices. */
export type NumericFieldName = Exclude<
  FieldName,
  'optimizer' | 'earlyStopping' | 'lrSchedule' | 'earlyStoppingRestoreBest'
>;

export type FieldName = keyof HyperparameterFields;
export type FieldErrors = Partial<Record<FieldName, string>>;

const D = DEFAULT_HYPERPARAMETERS;
/** The engine's defaults as text; momentum starts at the usual value for when SGD or RMSprop is picked. */
export const DEFAULT_FIELDS: HyperparameterFields = {
  optimizer: D.optimizer,
  learningRate: String(D.learningRate),
  momentum: String(SUGGESTED_MOMENTUM),
  batchSize: String(D.batchSize),
  epochs: String(D.epochs),
  validationSplit: String(D.validationSplit),
  trainSize: D.trainSize === null ? '' : String(D.trainSize),
  seed: String(D.seed),
  ...augmentationFields(D),
  ...trainingControlFields(D),
};

export const FIELD_NAMES: FieldName[] = HYPERPARAMETER_NAMES;

/** A run's hyperparameters as the form shows them (momentum keeps the usual value when the optimizer ignores it). */
export function fieldsFromHyperparameters(h: Hyperparameters): HyperparameterFields {
  return {
    optimizer: h.optimizer,
    learningRate: String(h.learningRate),
    momentum: String(usesMomentum(h.optimizer) ? h.momentum : SUGGESTED_MOMENTUM),
    batchSize: String(h.batchSize),
    epochs: String(h.epochs),
    validationSplit: String(h.validationSplit),
    trainSize: h.trainSize === null ? '' : String(h.trainSize),
    seed: String(h.seed),
    ...augmentationFields(h),
    ...trainingControlFields(h),
  };
}

/** Early stopping and the learning-rate schedule as the form shows them. */
function trainingControlFields(
  h: Hyperparameters,
): Pick<
  HyperparameterFields,
  | 'earlyStopping'
  | 'earlyStoppingPatience'
  | 'earlyStoppingMinDelta'
  | 'earlyStoppingRestoreBest'
  | 'lrSchedule'
  | 'lrStepEpochs'
  | 'lrStepFactor'
  | 'lrDecayRate'
  | 'lrMinimum'
  | 'lrPlateauFactor'
  | 'lrPlateauPatience'
> {
  return {
    earlyStopping: h.earlyStopping,
    earlyStoppingPatience: String(h.earlyStoppingPatience),
    earlyStoppingMinDelta: String(h.earlyStoppingMinDelta),
    earlyStoppingRestoreBest: h.earlyStoppingRestoreBest,
    lrSchedule: h.lrSchedule,
    lrStepEpochs: String(h.lrStepEpochs),
    lrStepFactor: String(h.lrStepFactor),
    lrDecayRate: String(h.lrDecayRate),
    lrMinimum: String(h.lrMinimum),
    lrPlateauFactor: String(h.lrPlateauFactor),
    lrPlateauPatience: String(h.lrPlateauPatience),
  };
}

/** What the form says next to a field whose value is fine alone but not with the others. */
const COMBINATION_MESSAGES: Partial<Record<keyof Hyperparameters, string>> = {
  earlyStopping: 'needs a validation split above 0',
  lrSchedule: 'reduce on plateau watches the validation loss: it needs a validation split above 0',
  lrMinimum: 'must be less than the learning rate',
};

/** The augmentation settings as text (a template's recipe, or a run's). */
export function augmentationFields(
  h: Pick<Hyperparameters, AugmentationName>,
): Pick<HyperparameterFields, AugmentationName> {
  return Object.fromEntries(AUGMENTATION_NAMES.map((name) => [name, String(h[name])])) as Pick<
    HyperparameterFields,
    AugmentationName
  >;
}

function parseNumber(text: string, rule: NumberRule): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'required' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `"${trimmed}" is not a number` };
  const problem = rangeProblem(value, rule);
  return problem ? { error: problem.replace(/, got .*$/, '') } : { value };
}

/**
 * Validates the form. `datasetSize` bounds the training subset when the dataset's size is known.
 * Returns the hyperparameters to send, or null with a message per invalid field.
 */
export function validateFields(
  fields: HyperparameterFields,
  datasetSize: number | null,
): { value: Hyperparameters | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const numbers: Partial<Record<FieldName, number>> = {};
  for (const [name, rule] of Object.entries(HYPERPARAMETER_RULES) as [RuledField, NumberRule][]) {
    // A hidden setting (momentum for Adam, a schedule not chosen) sends its default, whatever it holds.
    if (!hyperparameterInUse(name, fields)) {
      numbers[name] = DEFAULT_HYPERPARAMETERS[name];
      continue;
    }
    const parsed = parseNumber(fields[name], rule);
    if ('error' in parsed) errors[name] = parsed.error;
    else numbers[name] = parsed.value;
  }
  let trainSize: number | null = null;
  if (fields.trainSize.trim() !== '') {
    const parsed = parseNumber(fields.trainSize, trainSizeRule(datasetSize));
    if ('error' in parsed)
      errors.trainSize = datasetSize
        ? `${parsed.error} (the training set has ${datasetSize.toLocaleString('en-US')} images)`
        : parsed.error;
    else trainSize = parsed.value;
  }
  const used = trainSize ?? datasetSize;
  const split = numbers.validationSplit;
  if (used !== null && split !== undefined && !errors.trainSize) {
    const problem = splitProblem(used, split);
    if (problem) errors.validationSplit = problem.replace(/^validationSplit /, '');
  }
  // Settings fine alone but not together (early stopping without validation images, …), once their parts parse.
  const learningRate = numbers.learningRate;
  if (split !== undefined && learningRate !== undefined) {
    const lrMinimum = numbers.lrMinimum ?? DEFAULT_HYPERPARAMETERS.lrMinimum;
    for (const issue of combinationProblems({ ...fields, validationSplit: split, learningRate, lrMinimum })) {
      const field = issue.field as FieldName;
      errors[field] ??= COMBINATION_MESSAGES[issue.field] ?? issue.message;
    }
  }
  if (Object.keys(errors).length) return { value: null, errors };
  const on = hyperparameterInUse;
  return {
    value: {
      optimizer: fields.optimizer,
      learningRate: numbers.learningRate!,
      momentum: usesMomentum(fields.optimizer) ? numbers.momentum! : 0,
      batchSize: numbers.batchSize!,
      epochs: numbers.epochs!,
      validationSplit: numbers.validationSplit!,
      trainSize,
      seed: numbers.seed!,
      ...(Object.fromEntries(AUGMENTATION_NAMES.map((name) => [name, numbers[name]!])) as Pick<
        Hyperparameters,
        AugmentationName
      >),
      earlyStopping: fields.earlyStopping,
      earlyStoppingPatience: numbers.earlyStoppingPatience!,
      earlyStoppingMinDelta: numbers.earlyStoppingMinDelta!,
      earlyStoppingRestoreBest: on('earlyStoppingRestoreBest', fields)
        ? fields.earlyStoppingRestoreBest
        : DEFAULT_HYPERPARAMETERS.earlyStoppingRestoreBest,
      lrSchedule: fields.lrSchedule,
      lrStepEpochs: numbers.lrStepEpochs!,
      lrStepFactor: numbers.lrStepFactor!,
      lrDecayRate: numbers.lrDecayRate!,
      lrMinimum: numbers.lrMinimum!,
      lrPlateauFactor: numbers.lrPlateauFactor!,
      lrPlateauPatience: numbers.lrPlateauPatience!,
    },
    errors,
  };
}

export function isFieldName(name: string | undefined): name is FieldName {
  return name !== undefined && (FIELD_NAMES as string[]).includes(name);
}
