import { describe, expect, it } from 'vitest';
import { periodEnd, settlementOf } from '../../../shared/usage/settlement.ts';

const day = (value: string) => ({ kind: 'day', value }) as const;
const month = (value: string) => ({ kind: 'month', value }) as const;

describe('periodEnd', () => {
  it.each([
    [day('2026-11-30'), '2026-12-01T00:00:00.000Z'],
    [day('2028-02-28'), '2028-02-29T00:00:00.000Z'],
    [day('2026-12-31'), '2027-01-01T00:00:00.000Z'],
    [month('2026-12'), '2027-01-01T00:00:00.000Z'],
    [month('2028-02'), '2028-03-01T00:00:00.000Z'],
  ])('%j ends at %s', (period, end) => {
    expect(periodEnd(period).toISOString()).toBe(end);
  });
});

describe('settlementOf', () => {
  it('keeps a period open until the window after its end has passed, to the millisecond', () => {
    const november = month('2026-11');
    const settlesAt = '2026-12-03T00:00:00.000Z';
    expect(settlementOf(november, new Date('2026-11-15T00:00:00Z'), 48)).toEqual({
      status: 'open',
      settlesAt,
    });
    expect(settlementOf(november, new Date('2026-12-02T23:59:59.999Z'), 48)).toEqual({
      status: 'open',
      settlesAt,
    });
    expect(settlementOf(november, new Date(settlesAt), 48)).toEqual({
      status: 'settled',
      settlesAt,
    });
  });

  it('settles a day on its own end plus the window, and at once without a window', () => {
    expect(settlementOf(day('2026-11-22'), new Date('2026-11-23T05:00:00Z'), 6)).toEqual({
      status: 'open',
      settlesAt: '2026-11-23T06:00:00.000Z',
    });
    expect(settlementOf(day('2026-11-22'), new Date('2026-11-23T00:00:00Z'), 0)).toEqual({
      status: 'settled',
      settlesAt: '2026-11-23T00:00:00.000Z',
    });
  });
});
