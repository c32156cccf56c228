import { describe, expect, it } from 'vitest';
import { readPeriodOption } from '../../../cli/period-option.ts';

describe('--period', () => {
  it('defaults to the current UTC month', () => {
    expect(readPeriodOption(undefined, new Date('2026-12-31T23:30:00-05:00'))).toEqual({
      kind: 'month',
      value: '2027-01',
    });
  });

  it('takes a month or a real day, and names the forms it takes otherwise', () => {
    expect(readPeriodOption('2026-11-22')).toEqual({ kind: 'day', value: '2026-11-22' });
    expect(() => readPeriodOption('2026-02-30')).toThrow(
      "--period must be a month (2026-11) or a day (2026-11-22), got '2026-02-30'",
    );
  });
});
