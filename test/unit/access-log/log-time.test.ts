import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoSeconds } from '../../../shared/access-log/log-time.ts';

/** What isoSeconds must write: Date's own ISO text, to the second. */
const byDate = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;

/** Seconds of 0000-01-01T00:00:00Z and of 10000-01-01T00:00:00Z. */
const YEAR_0 = -62_167_219_200;
const YEAR_10000 = 253_402_300_800;

describe('isoSeconds', () => {
  it('writes what Date writes, for any second of any year, in any order', () => {
    const second = fc.oneof(
      fc.integer({ min: YEAR_0 - 86_400 * 3, max: YEAR_10000 + 86_400 * 3 }),
      // Many times of a few days, as a log holds them.
      fc.integer({ min: 1_790_000_000, max: 1_790_000_000 + 86_400 * 3 }),
      fc.constantFrom(YEAR_0 - 1, YEAR_0, YEAR_10000 - 1, YEAR_10000, -1, 0, 86_399, 86_400),
    );
    fc.assert(
      fc.property(fc.array(second, { minLength: 1, maxLength: 20 }), (times) => {
        for (const seconds of times) expect(isoSeconds(seconds)).toBe(byDate(seconds));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the edges of a day and of the calendar', () => {
    expect(isoSeconds(0)).toBe('1970-01-01T00:00:00Z');
    expect(isoSeconds(86_399)).toBe('1970-01-01T23:59:59Z');
    expect(isoSeconds(86_399.5)).toBe('1970-01-01T23:59:59Z');
    expect(isoSeconds(-1)).toBe('1969-12-31T23:59:59Z');
    expect(isoSeconds(951_782_400)).toBe('2000-02-29T00:00:00Z');
    expect(isoSeconds(YEAR_0)).toBe('0000-01-01T00:00:00Z');
    expect(isoSeconds(YEAR_10000 - 1)).toBe('9999-12-31T23:59:59Z');
    expect(isoSeconds(YEAR_10000)).toBe(byDate(YEAR_10000));
  });

  it('refuses a time that is not one, as Date does', () => {
    expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
    expect(() => isoSeconds(Infinity)).toThrow(RangeError);
  });
});
