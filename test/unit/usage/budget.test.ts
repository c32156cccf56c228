import { describe, expect, it } from 'vitest';
import { budgetStatus } from '../../../shared/usage/budget.ts';
import { emptyCounters } from '../../../shared/usage/usage-counters.ts';

describe('budgetStatus', () => {
  it('counts downloaded and uploaded bytes, not requests or errors', () => {
    const totals = {
      ...emptyCounters(),
      downloadBytes: 600,
      uploadBytes: 300,
      downloadRequests: 50,
      errorRequests: 7,
    };
    expect(budgetStatus(1000, '2026-11', totals)).toEqual({
      month: '2026-11',
      monthlyBytes: 1000,
      usedBytes: 900,
      remainingBytes: 100,
      reached: false,
    });
  });

  it('is reached at the budget exactly, and past it has nothing left (never less)', () => {
    expect(budgetStatus(900, '2026-11', { ...emptyCounters(), downloadBytes: 900 })).toMatchObject({
      remainingBytes: 0,
      reached: true,
    });
    expect(budgetStatus(900, '2026-11', { ...emptyCounters(), uploadBytes: 5_000 })).toMatchObject({
      usedBytes: 5_000,
      remainingBytes: 0,
      reached: true,
    });
  });
});
