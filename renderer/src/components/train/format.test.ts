import { describe, expect, it } from 'vitest';
import { formatCount, formatLoss, formatPercent, formatRate, formatSeconds } from './format.ts';

describe('Train screen formatting', () => {
  it('formatCount: rounded, with en-US grouping whatever the locale', () => {
    expect(formatCount(54_000)).toBe('54,000');
    expect(formatCount(1234.5)).toBe('1,235');
    expect(formatCount(7)).toBe('7');
  });

  it('formatPercent and formatLoss: fixed digits, a dash when missing', () => {
    expect(formatPercent(0.9912)).toBe('99.12%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercent(null)).toBe('—');
    expect(formatLoss(0.034567)).toBe('0.0346');
    expect(formatLoss(undefined)).toBe('—');
  });

  it('formatSeconds: seconds, then minutes and seconds, then hours and minutes', () => {
    expect(formatSeconds(0)).toBe('0s');
    expect(formatSeconds(59.4)).toBe('59s');
    expect(formatSeconds(59.6)).toBe('1m 00s');
    expect(formatSeconds(75)).toBe('1m 15s');
    expect(formatSeconds(3599)).toBe('59m 59s');
    expect(formatSeconds(4000)).toBe('1h 06m');
    expect(formatSeconds(36_000)).toBe('10h 00m');
  });

  it('formatSeconds: never negative, a dash when unknown', () => {
    expect(formatSeconds(-5)).toBe('0s');
    expect([formatSeconds(null), formatSeconds(undefined), formatSeconds(Infinity), formatSeconds(NaN)]).toEqual([
      '—',
      '—',
      '—',
      '—',
    ]);
  });

  it('formatRate: one decimal below 100 samples/s, grouped whole numbers from there', () => {
    expect(formatRate(42.25)).toBe('42.3 samples/s');
    expect(formatRate(99.94)).toBe('99.9 samples/s');
    expect(formatRate(12_345.6)).toBe('12,346 samples/s');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(NaN)).toBe('—');
  });
});
