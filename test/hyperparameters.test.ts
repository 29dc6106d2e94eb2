import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS, HyperparameterError, parseHyperparameters } from '#shared/hyperparameters.ts';

describe('hyperparameters', () => {
  it('fills defaults', () => {
    expect(parseHyperparameters({})).toEqual(DEFAULT_HYPERPARAMETERS);
    expect(parseHyperparameters({ optimizer: 'sgd', momentum: 0.9, epochs: 3 })).toMatchObject({
      optimizer: 'sgd',
      momentum: 0.9,
      epochs: 3,
      batchSize: 32,
    });
  });

  it.each([
    [{ optimizer: 'adagrad' }, 'optimizer', /optimizer must be one of adam, sgd, rmsprop, got "adagrad"/],
    [{ learningRate: 0 }, 'learningRate', /learningRate must be greater than 0 and at most 10, got 0/],
    [{ learningRate: 'fast' }, 'learningRate', /learningRate must be a number, got "fast"/],
    [{ momentum: 1 }, 'momentum', /momentum must be at least 0 and less than 1, got 1/],
    [{ batchSize: 2.5 }, 'batchSize', /batchSize must be a whole number, got 2.5/],
    [{ batchSize: 0 }, 'batchSize', /batchSize must be at least 1/],
    [{ epochs: 1001 }, 'epochs', /epochs must be at least 1 and at most 1,000, got 1001/],
    [{ validationSplit: 0.95 }, 'validationSplit', /validationSplit must be at least 0 and at most 0.9/],
    [{ seed: -1 }, 'seed', /seed must be at least 0/],
    [{ trainSize: 0 }, 'trainSize', /trainSize must be at least 1/],
    [
      { trainSize: 70000 },
      'trainSize',
      /trainSize must be at least 1 and at most 60,000, got 70000 \(the training set has 60000 images\)/,
    ],
    [{ batchsize: 64 }, 'batchsize', /unknown hyperparameter 'batchsize'/],
    [
      { trainSize: 1, validationSplit: 0.5 },
      'validationSplit',
      /holds out no validation image|leaves no training images/,
    ],
    [
      { earlyStopping: 'loss' },
      'earlyStopping',
      /earlyStopping must be one of off, val_loss, val_accuracy, got "loss"/,
    ],
    [{ earlyStoppingPatience: 0 }, 'earlyStoppingPatience', /earlyStoppingPatience must be at least 1/],
    [{ earlyStoppingPatience: 1.5 }, 'earlyStoppingPatience', /earlyStoppingPatience must be a whole number/],
    [{ earlyStoppingMinDelta: -0.1 }, 'earlyStoppingMinDelta', /earlyStoppingMinDelta must be at least 0/],
    [{ earlyStoppingRestoreBest: 'yes' }, 'earlyStoppingRestoreBest', /must be true or false, got "yes"/],
    [
      { lrSchedule: 'linear' },
      'lrSchedule',
      /lrSchedule must be one of constant, step, exponential, cosine, plateau, got "linear"/,
    ],
    [{ lrStepEpochs: 0 }, 'lrStepEpochs', /lrStepEpochs must be at least 1/],
    [{ lrStepFactor: 1 }, 'lrStepFactor', /lrStepFactor must be greater than 0 and less than 1, got 1/],
    [{ lrDecayRate: 0 }, 'lrDecayRate', /lrDecayRate must be greater than 0 and less than 1, got 0/],
    [{ lrMinimum: -1 }, 'lrMinimum', /lrMinimum must be at least 0/],
    [{ lrPlateauFactor: 1.5 }, 'lrPlateauFactor', /lrPlateauFactor must be greater than 0 and less than 1/],
    [{ lrPlateauPatience: 0 }, 'lrPlateauPatience', /lrPlateauPatience must be at least 1/],
    [
      { earlyStopping: 'val_loss', validationSplit: 0 },
      'earlyStopping',
      /earlyStopping val_loss needs a validation set, but validationSplit is 0/,
    ],
    [
      { lrSchedule: 'plateau', validationSplit: 0 },
      'lrSchedule',
      /lrSchedule plateau watches the validation loss and needs a validation set, but validationSplit is 0/,
    ],
    [
      { lrSchedule: 'cosine', lrMinimum: 0.001 },
      'lrMinimum',
      /lrMinimum 0.001 must be less than learningRate 0.001 for the cosine schedule/,
    ],
  ])('rejects %j naming the field', (input, field, message) => {
    try {
      parseHyperparameters(input, 60000);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HyperparameterError);
      expect((err as HyperparameterError).issues.map((i) => i.field)).toContain(field);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('has early stopping off and a constant learning rate by default', () => {
    expect(parseHyperparameters({})).toMatchObject({ earlyStopping: 'off', lrSchedule: 'constant' });
  });

  it('accepts early stopping and every schedule with a validation split, and parameters of schedules not chosen', () => {
    expect(
      parseHyperparameters({ earlyStopping: 'val_accuracy', earlyStoppingRestoreBest: false, lrSchedule: 'plateau' }),
    ).toMatchObject({ earlyStopping: 'val_accuracy', earlyStoppingRestoreBest: false, lrSchedule: 'plateau' });
    for (const lrSchedule of ['constant', 'step', 'exponential', 'cosine'])
      expect(parseHyperparameters({ lrSchedule, validationSplit: 0, lrStepFactor: 0.1 }).lrSchedule).toBe(lrSchedule);
  });

  it('rejects a non-object', () => {
    expect(() => parseHyperparameters(null)).toThrow(/hyperparameters must be an object/);
  });
});
