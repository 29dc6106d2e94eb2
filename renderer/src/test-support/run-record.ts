// A finished run record for the renderer's unit tests: every field set, nothing measured; tests override what they need.
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { getTemplate } from '#shared/model/index.ts';
import type { RunRecord } from '#shared/records.ts';

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 1,
    name: 'run',
    status: 'completed',
    spec: getTemplate('seed'),
    hyperparameters: DEFAULT_HYPERPARAMETERS,
    dataset: { id: 'mnist', name: 'MNIST', classes: ['0', '1'], trainCount: 60_000, testCount: 10_000 },
    backend: null,
    trainer: null,
    createdAt: 0,
    startedAt: 0,
    finishedAt: 0,
    error: null,
    notes: '',
    tags: [],
    finalTrainLoss: null,
    finalTrainAccuracy: null,
    finalValLoss: null,
    finalValAccuracy: null,
    testLoss: null,
    testAccuracy: null,
    bestValAccuracy: null,
    bestValAccuracyEpoch: null,
    bestValLoss: null,
    bestValLossEpoch: null,
    trainingDurationMs: null,
    samplesPerSecond: null,
    epochsCompleted: 5,
    stopReason: null,
    weightsEpoch: null,
    testEvaluations: [],
    heldBy: null,
    ...overrides,
  };
}
