import { describe, expect, it } from 'vitest';
import { readSettleWindowOption } from '../../../cli/settle-window-option.ts';

describe('--settle-window', () => {
  it('takes the option, else $SETTLE_WINDOW_HOURS, else 48 hours', () => {
    expect(readSettleWindowOption('0', { SETTLE_WINDOW_HOURS: '72' })).toBe(0);
    expect(readSettleWindowOption(undefined, { SETTLE_WINDOW_HOURS: '72' })).toBe(72);
    expect(readSettleWindowOption(undefined, {})).toBe(48);
  });

  it('names where a bad value came from', () => {
    expect(() => readSettleWindowOption('2 days', {})).toThrow(
      "--settle-window must be a whole number of hours from 0 to 2160, got '2 days'",
    );
    expect(() => readSettleWindowOption(undefined, { SETTLE_WINDOW_HOURS: '2161' })).toThrow(
      "SETTLE_WINDOW_HOURS must be a whole number of hours from 0 to 2160, got '2161'",
    );
  });
});
