import { describe, expect, it } from 'vitest';
import type { RunRecord } from '#shared/records.ts';
import { isEvaluable, notEvaluableReason, weightsSentence } from './evaluable.ts';
import { runRecord } from '../../test-support/run-record.ts';

const run = (status: RunRecord['status'], epochsCompleted: number, epochs = 5): RunRecord =>
  ({ id: 4, status, epochsCompleted, hyperparameters: { epochs } }) as RunRecord;

describe('isEvaluable', () => {
  it('takes every ended run with a finished epoch, stopped and interrupted ones included', () => {
    expect(
      ['completed', 'stopped', 'interrupted', 'failed'].map((s) => isEvaluable(run(s as RunRecord['status'], 2))),
    ).toEqual([true, true, true, true]);
  });

  it('leaves out runs without weights and runs still training', () => {
    expect(isEvaluable(run('stopped', 0))).toBe(false);
    expect(isEvaluable(run('running', 3))).toBe(false);
    expect(isEvaluable(run('queued', 0))).toBe(false);
  });
});

describe('notEvaluableReason', () => {
  it('says why a run is not listed', () => {
    expect(notEvaluableReason(run('stopped', 0))).toBe(
      'Run #4 has not finished an epoch, so it has no saved weights to evaluate.',
    );
    expect(notEvaluableReason(run('running', 1))).toBe('Run #4 is training; evaluate it once it stops or completes.');
    expect(notEvaluableReason(run('completed', 5))).toBeNull();
  });
});

describe('weightsSentence', () => {
  it('names the epoch whose weights were scored', () => {
    expect(weightsSentence(run('completed', 5), 5)).toBe(
      'Test accuracy of the epoch 5 weights, the end of training (5 of 5 epochs).',
    );
    expect(weightsSentence(run('stopped', 3), 3)).toBe(
      'Test accuracy of the epoch 3 weights, its last checkpoint: the run was stopped after 3 of 5 epochs.',
    );
    expect(weightsSentence(run('interrupted', 2), 2)).toBe(
      'Test accuracy of the epoch 2 weights, its last checkpoint: the run was interrupted after 2 of 5 epochs.',
    );
    expect(weightsSentence(run('failed', 1), 1)).toBe(
      'Test accuracy of the epoch 1 weights, its last checkpoint: the run failed after 1 of 5 epochs.',
    );
  });
});

describe('weightsSentence for the best epoch', () => {
  it('names the best epoch and its monitor rather than calling it the last checkpoint', () => {
    const run = runRecord({
      epochsCompleted: 5,
      weightsEpoch: 4,
      bestValLossEpoch: 3,
      hyperparameters: { ...runRecord().hyperparameters, epochs: 10, validationSplit: 0.1, earlyStopping: 'val_loss' },
    });
    expect(weightsSentence(run, 4)).toBe(
      "Test accuracy of the epoch 4 weights, early stopping's best by val loss (gains of at least its min delta), restored (5 of 10 epochs trained).",
    );
  });
});
