import { describe, expect, it } from 'vitest';
import { formatDateTime } from './dates.ts';

const at = (month: number, day: number, hour: number, minute: number, year = 2024) =>
  new Date(year, month, day, hour, minute).getTime();

describe('formatDateTime', () => {
  it('gives only the time for today', () => {
    expect(formatDateTime(at(2, 12, 10, 41), at(2, 12, 18, 0), 'en-GB')).toBe('10:41');
  });

  it('adds the day for another day this year, and the year for older dates', () => {
    expect(formatDateTime(at(2, 11, 10, 41), at(2, 12, 9, 0), 'en-GB')).toBe('11 Mar, 10:41');
    expect(formatDateTime(at(11, 31, 23, 5, 2023), at(0, 1, 9, 0), 'en-GB')).toBe('31 Dec 2023, 23:05');
  });
});
