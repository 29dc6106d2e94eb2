import { describe, expect, it } from 'vitest';
import { runRecord } from '../../test-support/run-record.ts';
import { epochWeightsLabel, optionLabel, testAccuracyCell, weightsLabel } from './weights-labels.ts';

const validated = { validationSplit: 0.1 };

describe('weights labels', () => {
  it('say which epoch the last and best weights are from', () => {
    const run = runRecord({
      epochsCompleted: 5,
      bestValLossEpoch: 3,
      bestValAccuracyEpoch: 4,
      hyperparameters: { ...runRecord().hyperparameters, ...validated },
    });
    expect(weightsLabel(run, 'best')).toBe('weights after epoch 4 (best val loss)');
    expect(weightsLabel(run, 'last')).toBe('weights after epoch 5 (last)');
    expect(epochWeightsLabel(run, 4)).toBe('weights after epoch 4 (best val loss)');
    expect(epochWeightsLabel(run, 2)).toBe('weights after epoch 2');
    expect(optionLabel(run, 'best')).toBe('Best · ep 4');
    expect(optionLabel(run, 'last')).toBe('Last · ep 5');
    // Early stopping on val accuracy chooses by it.
    const byAccuracy = runRecord({
      ...run,
      hyperparameters: { ...run.hyperparameters, earlyStopping: 'val_accuracy' },
    });
    expect(weightsLabel(byAccuracy, 'best')).toBe('weights after epoch 5 (last and best val accuracy)');
  });

  it("give the Runs cell the default weights' accuracy and epoch, with both in the tooltip", () => {
    const restored = runRecord({
      epochsCompleted: 5,
      weightsEpoch: 4,
      bestValLossEpoch: 3,
      testAccuracy: 0.989,
      testEvaluations: [
        { epoch: 4, testLoss: 0.03, testAccuracy: 0.989 },
        { epoch: 5, testLoss: 0.04, testAccuracy: 0.987 },
      ],
      hyperparameters: { ...runRecord().hyperparameters, ...validated, earlyStopping: 'val_loss' },
    });
    const cell = testAccuracyCell(restored);
    expect(cell.text).toBe('98.9% · best ep 4');
    expect(cell.value).toBe(0.989);
    expect(cell.title).toBe(
      "Test accuracy: 98.9% with the weights after epoch 4 (early stopping's best val loss) (shown, the run’s default); 98.7% with the weights after epoch 5 (last)",
    );
    const last = runRecord({ ...restored, weightsEpoch: 5, testAccuracy: 0.987 });
    expect(testAccuracyCell(last).text).toBe('98.7% · last ep 5');
    const noValidation = runRecord({
      epochsCompleted: 2,
      testAccuracy: 0.9,
      testEvaluations: [{ epoch: 2, testLoss: 0.3, testAccuracy: 0.9 }],
      hyperparameters: { ...runRecord().hyperparameters, validationSplit: 0 },
    });
    expect(testAccuracyCell(noValidation)).toEqual({
      text: '90.0% · ep 2',
      tag: ' · ep 2',
      value: 0.9,
      title:
        'Test accuracy: 90.0% with the weights after epoch 2 (last) (shown, the run’s default); No best epoch: it trained without a validation split, so only its last weights exist.',
    });
    expect(testAccuracyCell(runRecord({ testAccuracy: null })).text).toBe('—');
  });
});
