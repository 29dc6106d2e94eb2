import { describe, expect, it } from 'vitest';
import { getTemplate, type ModelSpec } from '#shared/model/index.ts';
import {
  architectureSummary,
  DASH,
  dateTime,
  duration,
  fixed,
  formatValue,
  hyperparameterKeys,
  hyperparameterLabel,
  integer,
  isResumable,
  percent,
  STATUSES,
} from './format.ts';

describe('architectureSummary', () => {
  it('abbreviates the layers as the CLI prints them', () => {
    expect(architectureSummary(getTemplate('seed'))).toBe('C32-P-C64-P-C64-F-D64-D10');
    expect(architectureSummary(getTemplate('mlp'))).toBe('F-D128-Drop0.2-D10');
  });

  it('shows a dash for a spec without a layer list', () => {
    expect(architectureSummary({ name: 'x', inputShape: [28, 28, 1] } as unknown as ModelSpec)).toBe(DASH);
    expect(architectureSummary(null as unknown as ModelSpec)).toBe(DASH);
  });
});

describe('numbers', () => {
  it('percent: a fraction as a percentage, a dash when missing', () => {
    expect(percent(0.98765)).toBe('98.77%');
    expect(percent(1, 0)).toBe('100%');
    expect(percent(0)).toBe('0.00%');
    expect([percent(null), percent(undefined), percent(NaN)]).toEqual([DASH, DASH, DASH]);
  });

  it('fixed: four decimals by default', () => {
    expect(fixed(0.123456)).toBe('0.1235');
    expect(fixed(2, 1)).toBe('2.0');
    expect(fixed(NaN)).toBe(DASH);
  });

  it('integer: rounded and grouped', () => {
    expect(integer(93_321.6)).toBe((93_322).toLocaleString());
    expect(integer(null)).toBe(DASH);
  });
});

describe('duration', () => {
  it('picks the unit by size', () => {
    expect(duration(850.4)).toBe('850 ms');
    expect(duration(47_000)).toBe('47 s');
    expect(duration(125_000)).toBe('2 min 05 s');
    expect(duration(3_720_000)).toBe('1 h 02 min');
  });

  it('rounds to whole seconds before choosing minutes', () => {
    expect(duration(59_600)).toBe('1 min 00 s');
    expect(duration(999)).toBe('999 ms');
  });

  it('shows a dash when missing', () => {
    expect([duration(null), duration(undefined), duration(NaN)]).toEqual([DASH, DASH, DASH]);
  });
});

describe('dateTime', () => {
  it('shows a dash when missing and a date otherwise', () => {
    expect(dateTime(null)).toBe(DASH);
    expect(dateTime(Date.UTC(2024, 5, 15, 12))).toContain('2024');
  });
});

describe('statuses', () => {
  it('lists every status once, running first', () => {
    expect(STATUSES).toEqual(['running', 'queued', 'completed', 'stopped', 'interrupted', 'failed']);
  });

  it('resumes only runs that stopped before completing', () => {
    expect(STATUSES.filter(isResumable)).toEqual(['stopped', 'interrupted', 'failed']);
  });
});

describe('hyperparameterKeys', () => {
  it('orders known keys as the schema does, whichever run has them', () => {
    expect(hyperparameterKeys([{ seed: 1, epochs: 2 }, { optimizer: 'adam' }])).toEqual([
      'optimizer',
      'epochs',
      'seed',
    ]);
  });

  it('puts unknown keys (older or newer runs) after the known ones, sorted', () => {
    expect(hyperparameterKeys([{ zeta: 1, learningRate: 0.1 }, { alpha: 2 }])).toEqual([
      'learningRate',
      'alpha',
      'zeta',
    ]);
    expect(hyperparameterKeys([])).toEqual([]);
  });
});

describe('hyperparameterLabel', () => {
  it("uses the schema's label, or the key itself when unknown", () => {
    expect(hyperparameterLabel('learningRate')).toBe('Learning rate');
    expect(hyperparameterLabel('trainSize')).toBe('Training images');
    expect(hyperparameterLabel('warmup')).toBe('warmup');
    expect(hyperparameterLabel('toString')).toBe('toString');
  });
});

describe('formatValue', () => {
  it('shows the validation split as a fraction and a percentage', () => {
    expect(formatValue('validationSplit', 0.15)).toBe('0.15 (15%)');
  });

  it('shows an unset training size as "all" and any other null as a dash', () => {
    expect(formatValue('trainSize', null)).toBe('all');
    expect(formatValue('seed', null)).toBe(DASH);
    expect(formatValue('seed', undefined)).toBe(DASH);
  });

  it('groups the training size and leaves other numbers bare', () => {
    expect(formatValue('trainSize', 12_000)).toBe((12_000).toLocaleString());
    expect(formatValue('seed', 4_294_967_295)).toBe('4294967295');
    expect(formatValue('learningRate', 0.001)).toBe('0.001');
  });

  it('shows strings as they are and anything else as JSON', () => {
    expect(formatValue('optimizer', 'sgd')).toBe('sgd');
    expect(formatValue('schedule', { decay: 0.5 })).toBe('{"decay":0.5}');
    expect(formatValue('nesterov', true)).toBe('true');
  });

  it('names the early-stopping monitor and the schedule, and says yes or no to restoring the best weights', () => {
    expect(formatValue('earlyStopping', 'val_loss')).toBe('Validation loss');
    expect(formatValue('earlyStopping', 'off')).toBe('Off');
    expect(formatValue('lrSchedule', 'plateau')).toBe('Reduce on plateau');
    expect(formatValue('lrSchedule', 'warmup')).toBe('warmup'); // a newer schedule, as named
    expect(formatValue('earlyStoppingRestoreBest', false)).toBe('no');
  });
});
