import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import {
  DEFAULT_FIELDS,
  FIELD_NAMES,
  fieldsFromHyperparameters,
  isFieldName,
  validateFields,
  type HyperparameterFields,
} from './hyperparameters.ts';

const MNIST_TRAIN = 60_000;
const form = (changes: Partial<HyperparameterFields>): HyperparameterFields => ({ ...DEFAULT_FIELDS, ...changes });

describe('DEFAULT_FIELDS', () => {
  it("are the engine's defaults as text, with the usual momentum ready for SGD or RMSprop", () => {
    expect(DEFAULT_FIELDS).toEqual({
      optimizer: 'adam',
      learningRate: '0.001',
      momentum: '0.9',
      batchSize: '32',
      epochs: '5',
      validationSplit: '0.1',
      trainSize: '',
      seed: '42',
      augmentRotation: '0',
      augmentScale: '0',
      augmentShift: '0',
      augmentThickness: '0',
      augmentElastic: '0',
      earlyStopping: 'off',
      earlyStoppingPatience: '3',
      earlyStoppingMinDelta: '0',
      earlyStoppingRestoreBest: true,
      lrSchedule: 'constant',
      lrStepEpochs: '2',
      lrStepFactor: '0.5',
      lrDecayRate: '0.9',
      lrMinimum: '0',
      lrPlateauFactor: '0.5',
      lrPlateauPatience: '2',
    });
  });

  it("validate to the engine's defaults (Adam, so no momentum)", () => {
    expect(validateFields(DEFAULT_FIELDS, MNIST_TRAIN)).toEqual({ value: DEFAULT_HYPERPARAMETERS, errors: {} });
  });
});

describe('validateFields', () => {
  it('parses numbers as typed, spaces and exponents included', () => {
    const { value } = validateFields(
      form({ learningRate: ' 1e-2 ', batchSize: '128', epochs: '20', validationSplit: '0', seed: '0' }),
      null,
    );
    expect(value).toMatchObject({ learningRate: 0.01, batchSize: 128, epochs: 20, validationSplit: 0, seed: 0 });
  });

  it('uses momentum only for SGD and RMSprop', () => {
    expect(validateFields(form({ optimizer: 'sgd', momentum: '0.8' }), null).value?.momentum).toBe(0.8);
    expect(validateFields(form({ optimizer: 'rmsprop', momentum: '0' }), null).value?.momentum).toBe(0);
    // Adam sends 0 and ignores whatever the hidden field holds, even nonsense.
    expect(validateFields(form({ optimizer: 'adam', momentum: 'abc' }), null)).toEqual({
      value: { ...DEFAULT_HYPERPARAMETERS, momentum: 0 },
      errors: {},
    });
  });

  it("checks momentum's range when it is used", () => {
    expect(validateFields(form({ optimizer: 'sgd', momentum: '1' }), null)).toEqual({
      value: null,
      errors: { momentum: 'must be at least 0 and less than 1' },
    });
    expect(validateFields(form({ optimizer: 'rmsprop', momentum: '' }), null).errors).toEqual({ momentum: 'required' });
  });

  it('names each invalid field with its reason, all at once', () => {
    const result = validateFields(
      form({ learningRate: '0', batchSize: '3.5', epochs: '', seed: 'x1', validationSplit: '0.95' }),
      null,
    );
    expect(result.value).toBeNull();
    expect(result.errors).toEqual({
      learningRate: 'must be greater than 0 and at most 10',
      batchSize: 'must be a whole number',
      epochs: 'required',
      seed: '"x1" is not a number',
      validationSplit: 'must be at least 0 and at most 0.9',
    });
  });

  it('rejects values beyond the upper bounds', () => {
    expect(validateFields(form({ batchSize: '8193', epochs: '1001' }), null).errors).toEqual({
      batchSize: 'must be at least 1 and at most 8,192',
      epochs: 'must be at least 1 and at most 1,000',
    });
  });

  it('treats an empty training-set size as the whole set', () => {
    expect(validateFields(form({ trainSize: '  ' }), MNIST_TRAIN).value?.trainSize).toBeNull();
    expect(validateFields(form({ trainSize: '5000' }), MNIST_TRAIN).value?.trainSize).toBe(5000);
  });

  it('bounds the training-set size by the dataset when its size is known', () => {
    expect(validateFields(form({ trainSize: '60001' }), MNIST_TRAIN).errors).toEqual({
      trainSize: 'must be at least 1 and at most 60,000 (the training set has 60,000 images)',
    });
    expect(validateFields(form({ trainSize: '60001' }), null).value?.trainSize).toBe(60_001);
    expect(validateFields(form({ trainSize: '0' }), null).errors).toEqual({
      trainSize: 'must be at least 1 and at most 10,000,000',
    });
  });

  it('rejects a validation split that leaves no training images', () => {
    expect(validateFields(form({ trainSize: '1', validationSplit: '0.5' }), MNIST_TRAIN).errors).toEqual({
      validationSplit: '0.5 leaves no training images out of 1',
    });
  });

  it('rejects a validation split that holds out no image, measured on the subset or else the dataset', () => {
    expect(validateFields(form({ trainSize: '5', validationSplit: '0.05' }), MNIST_TRAIN).errors).toEqual({
      validationSplit: '0.05 of 5 images holds out no validation image',
    });
    expect(validateFields(form({ validationSplit: '0.05' }), 5).errors).toEqual({
      validationSplit: '0.05 of 5 images holds out no validation image',
    });
    // Without a subset or a known dataset size there is nothing to check the split against.
    expect(validateFields(form({ validationSplit: '0.05' }), null).errors).toEqual({});
  });

  it('does not judge the split against a training-set size that is itself wrong', () => {
    expect(validateFields(form({ trainSize: '-1', validationSplit: '0.5' }), MNIST_TRAIN).errors).toEqual({
      trainSize: 'must be at least 1 and at most 60,000 (the training set has 60,000 images)',
    });
  });
});

describe('field names', () => {
  it("are the schema's, in display order", () => {
    expect(FIELD_NAMES).toEqual([
      'optimizer',
      'learningRate',
      'momentum',
      'batchSize',
      'epochs',
      'validationSplit',
      'trainSize',
      'seed',
      'augmentRotation',
      'augmentScale',
      'augmentShift',
      'augmentThickness',
      'augmentElastic',
      'earlyStopping',
      'earlyStoppingPatience',
      'earlyStoppingMinDelta',
      'earlyStoppingRestoreBest',
      'lrSchedule',
      'lrStepEpochs',
      'lrStepFactor',
      'lrDecayRate',
      'lrMinimum',
      'lrPlateauFactor',
      'lrPlateauPatience',
    ]);
  });

  it('recognise engine field errors that belong to a form field', () => {
    expect(isFieldName('learningRate')).toBe(true);
    expect(isFieldName('(hyperparameters)')).toBe(false);
    expect(isFieldName(undefined)).toBe(false);
  });
});

describe('augmentation fields', () => {
  it('are checked like the others, naming the range', () => {
    expect(
      validateFields(form({ augmentRotation: '46', augmentScale: '-0.1', augmentElastic: 'x' }), null).errors,
    ).toEqual({
      augmentRotation: 'must be at least 0 and at most 45',
      augmentScale: 'must be at least 0 and at most 0.5',
      augmentElastic: '"x" is not a number',
    });
  });
});

describe('early stopping and learning-rate schedule fields', () => {
  it('check only the settings the choice uses, and send the defaults for the hidden ones', () => {
    const hidden = form({
      lrStepFactor: '7',
      lrDecayRate: 'x',
      earlyStoppingPatience: '0',
      earlyStoppingRestoreBest: false,
    });
    expect(validateFields(hidden, null)).toEqual({ value: DEFAULT_HYPERPARAMETERS, errors: {} });
    expect(validateFields(form({ lrSchedule: 'step', lrStepFactor: '1', lrStepEpochs: '0' }), null).errors).toEqual({
      lrStepFactor: 'must be greater than 0 and less than 1',
      lrStepEpochs: 'must be at least 1 and at most 1,000',
    });
    expect(validateFields(form({ lrSchedule: 'exponential', lrDecayRate: '0' }), null).errors).toEqual({
      lrDecayRate: 'must be greater than 0 and less than 1',
    });
    expect(
      validateFields(form({ earlyStopping: 'val_loss', earlyStoppingPatience: '0', earlyStoppingMinDelta: '2' }), null)
        .errors,
    ).toEqual({
      earlyStoppingPatience: 'must be at least 1 and at most 1,000',
      earlyStoppingMinDelta: 'must be at least 0 and at most 1',
    });
  });

  it('send the chosen schedule and its settings, and early stopping with its own', () => {
    const { value } = validateFields(
      form({
        lrSchedule: 'plateau',
        lrPlateauFactor: '0.2',
        lrPlateauPatience: '4',
        lrMinimum: '1e-5',
        lrStepFactor: '0.3', // not the plateau's: the default goes
        earlyStopping: 'val_accuracy',
        earlyStoppingPatience: '5',
        earlyStoppingMinDelta: '0.001',
        earlyStoppingRestoreBest: false,
      }),
      MNIST_TRAIN,
    );
    expect(value).toMatchObject({
      lrSchedule: 'plateau',
      lrPlateauFactor: 0.2,
      lrPlateauPatience: 4,
      lrMinimum: 1e-5,
      lrStepFactor: 0.5,
      earlyStopping: 'val_accuracy',
      earlyStoppingPatience: 5,
      earlyStoppingMinDelta: 0.001,
      earlyStoppingRestoreBest: false,
    });
  });

  it('refuse early stopping and reduce on plateau without a validation split, and a minimum not below the rate', () => {
    expect(validateFields(form({ earlyStopping: 'val_loss', validationSplit: '0' }), MNIST_TRAIN).errors).toEqual({
      earlyStopping: 'needs a validation split above 0',
    });
    expect(validateFields(form({ lrSchedule: 'plateau', validationSplit: '0' }), MNIST_TRAIN).errors).toEqual({
      lrSchedule: 'reduce on plateau watches the validation loss: it needs a validation split above 0',
    });
    expect(validateFields(form({ lrSchedule: 'cosine', lrMinimum: '0.01' }), MNIST_TRAIN).errors).toEqual({
      lrMinimum: 'must be less than the learning rate',
    });
    // A minimum the chosen schedule does not use is not checked against the rate.
    expect(validateFields(form({ lrSchedule: 'step', lrMinimum: '0.01' }), MNIST_TRAIN).errors).toEqual({});
  });
});

describe('fieldsFromHyperparameters', () => {
  it("shows a run's hyperparameters in the form, which validates back to the same values", () => {
    const run = {
      optimizer: 'sgd',
      learningRate: 0.05,
      momentum: 0.8,
      batchSize: 8,
      epochs: 3,
      validationSplit: 0.2,
      trainSize: 12000,
      seed: 7,
      augmentRotation: 15,
      augmentScale: 0.1,
      augmentShift: 2,
      augmentThickness: 0.5,
      augmentElastic: 0,
      earlyStopping: 'val_loss',
      earlyStoppingPatience: 4,
      earlyStoppingMinDelta: 0.002,
      earlyStoppingRestoreBest: false,
      lrSchedule: 'step',
      lrStepEpochs: 3,
      lrStepFactor: 0.2,
      lrDecayRate: 0.9,
      lrMinimum: 0,
      lrPlateauFactor: 0.5,
      lrPlateauPatience: 2,
    } as const;
    const fields = fieldsFromHyperparameters(run);
    expect(fields).toEqual({
      optimizer: 'sgd',
      learningRate: '0.05',
      momentum: '0.8',
      batchSize: '8',
      epochs: '3',
      validationSplit: '0.2',
      trainSize: '12000',
      seed: '7',
      augmentRotation: '15',
      augmentScale: '0.1',
      augmentShift: '2',
      augmentThickness: '0.5',
      augmentElastic: '0',
      earlyStopping: 'val_loss',
      earlyStoppingPatience: '4',
      earlyStoppingMinDelta: '0.002',
      earlyStoppingRestoreBest: false,
      lrSchedule: 'step',
      lrStepEpochs: '3',
      lrStepFactor: '0.2',
      lrDecayRate: '0.9',
      lrMinimum: '0',
      lrPlateauFactor: '0.5',
      lrPlateauPatience: '2',
    });
    expect(validateFields(fields, MNIST_TRAIN)).toEqual({ value: run, errors: {} });
  });

  it('leaves the training subset empty for the whole set, and the usual momentum ready when the optimizer has none', () => {
    expect(fieldsFromHyperparameters(DEFAULT_HYPERPARAMETERS)).toEqual(DEFAULT_FIELDS);
  });
});
