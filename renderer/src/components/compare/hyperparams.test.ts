import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS, type Hyperparameters } from '#shared/hyperparameters.ts';
import { getTemplate, type ModelSpec } from '#shared/model/index.ts';
import type { BackendInfo } from '#shared/types.ts';
import { differingSettings, settingRows } from './hyperparams.ts';
import type { ComparedRun } from './load.ts';
import { runRecord } from '../../test-support/run-record.ts';

const wasm: BackendInfo = {
  kind: 'wasm',
  tfBackend: 'wasm',
  device: 'CPU',
  tfjsVersion: '4.22.0',
  tensorflowVersion: null,
  reason: 'test',
};

function compared(changes: {
  spec?: ModelSpec;
  hyperparameters?: Record<string, unknown>;
  backend?: BackendInfo | null;
  totalParams?: number | null;
  dataset?: string;
}): ComparedRun {
  const run = runRecord({
    spec: changes.spec ?? getTemplate('seed'),
    hyperparameters: (changes.hyperparameters ?? DEFAULT_HYPERPARAMETERS) as Hyperparameters,
    dataset: {
      id: 'mnist',
      name: changes.dataset ?? 'MNIST',
      classes: ['0', '1'],
      trainCount: 60_000,
      testCount: 10_000,
    },
    backend: changes.backend === undefined ? wasm : changes.backend,
  });
  return {
    detail: { run, epochs: [], evaluation: null, evaluations: [], sessions: [] },
    batches: [],
    batchesPerEpoch: 1,
    totalParams: changes.totalParams === undefined ? 93_322 : changes.totalParams,
  };
}

const row = (rows: ReturnType<typeof settingRows>, key: string) => rows.find((r) => r.key === key);

describe('settingRows', () => {
  it('lists architecture, parameters and dataset, then the hyperparameters in schema order, then the backend', () => {
    const rows = settingRows([compared({}), compared({})]);
    expect(rows.map((r) => r.key)).toEqual([
      'architecture',
      'parameters',
      'dataset',
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
      'backend',
    ]);
    expect(rows.map((r) => r.label).slice(0, 5)).toEqual([
      'Architecture',
      'Parameters',
      'Dataset',
      'Optimizer',
      'Learning rate',
    ]);
  });

  it("formats each run's values and flags no difference between identical runs", () => {
    const rows = settingRows([compared({}), compared({})]);
    expect(row(rows, 'architecture')?.values).toEqual(['C32-P-C64-P-C64-F-D64-D10', 'C32-P-C64-P-C64-F-D64-D10']);
    expect(row(rows, 'validationSplit')?.values).toEqual(['0.1 (10%)', '0.1 (10%)']);
    expect(row(rows, 'trainSize')?.values).toEqual(['all', 'all']);
    expect(row(rows, 'backend')?.values).toEqual(['wasm', 'wasm']);
    expect(rows.some((r) => r.differs)).toBe(false);
  });

  it('flags exactly the rows whose values differ', () => {
    const rows = settingRows([
      compared({}),
      compared({
        spec: getTemplate('mlp'),
        totalParams: 101_770,
        hyperparameters: { ...DEFAULT_HYPERPARAMETERS, optimizer: 'sgd', momentum: 0.9 },
      }),
    ]);
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual([
      'architecture',
      'parameters',
      'optimizer',
      'momentum',
    ]);
    expect(row(rows, 'momentum')?.values).toEqual(['0', '0.9']);
  });

  it("says 'not used' for early-stopping and schedule settings a run's own choices do not use", () => {
    const stepped = { ...DEFAULT_HYPERPARAMETERS, lrSchedule: 'step', lrStepEpochs: 1, earlyStopping: 'val_loss' };
    const cosine = { ...DEFAULT_HYPERPARAMETERS, lrSchedule: 'cosine', lrMinimum: 0.0001 };
    const rows = settingRows([compared({ hyperparameters: stepped }), compared({ hyperparameters: cosine })]);
    expect(rows.filter((r) => r.differs).map((r) => [r.key, ...r.values])).toEqual([
      ['earlyStopping', 'Validation loss', 'Off'],
      ['earlyStoppingPatience', '3', 'not used'],
      ['earlyStoppingMinDelta', '0', 'not used'],
      ['earlyStoppingRestoreBest', 'yes', 'not used'],
      ['lrSchedule', 'Step', 'Cosine'],
      ['lrStepEpochs', '1', 'not used'],
      ['lrStepFactor', '0.5', 'not used'],
      ['lrMinimum', 'not used', '0.0001'],
    ]);
    // Settings neither run uses are alike: not a difference.
    expect(row(rows, 'lrPlateauFactor')).toMatchObject({ values: ['not used', 'not used'], differs: false });
  });

  it('shows a dash for what a run does not have: a parameter count, a backend, a hyperparameter', () => {
    const older = { ...DEFAULT_HYPERPARAMETERS } as Record<string, unknown>;
    delete older.momentum;
    const rows = settingRows([compared({}), compared({ totalParams: null, backend: null, hyperparameters: older })]);
    expect(row(rows, 'parameters')?.values).toEqual([(93_322).toLocaleString(), '—']);
    expect(row(rows, 'backend')?.values).toEqual(['wasm', '—']);
    expect(row(rows, 'momentum')).toMatchObject({ values: ['0', '—'], differs: true });
  });

  it('adds rows for hyperparameters only some runs know, after the known ones, labelled by their key', () => {
    const newer = { ...DEFAULT_HYPERPARAMETERS, warmupEpochs: 2 };
    const rows = settingRows([compared({ hyperparameters: newer }), compared({})]);
    expect(rows.map((r) => r.key).slice(-2)).toEqual(['warmupEpochs', 'backend']);
    expect(row(rows, 'warmupEpochs')).toEqual({
      key: 'warmupEpochs',
      label: 'warmupEpochs',
      values: ['2', '—'],
      differs: true,
    });
  });
});

describe('differingSettings', () => {
  it('lists the settings that differ by label, not counting Parameters apart from Architecture', () => {
    const a = compared({});
    const b = compared({
      hyperparameters: { ...DEFAULT_HYPERPARAMETERS, learningRate: 0.01, batchSize: 64 },
      totalParams: 1000,
    });
    expect(differingSettings(settingRows([a, b]))).toEqual(['Learning rate', 'Batch size']);
    expect(differingSettings(settingRows([a, compared({})]))).toEqual([]);
  });
});
