import { describe, expect, it } from 'vitest';
import { periodDaysUntil } from '../../../shared/usage/period.ts';

describe('periodDaysUntil', () => {
  it('lists a past month whole, a current one up to today, a future one not at all', () => {
    expect(periodDaysUntil({ kind: 'month', value: '2028-02' }, '2028-03-05')).toHaveLength(29);
    expect(periodDaysUntil({ kind: 'month', value: '2026-12' }, '2026-12-02')).toEqual([
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(periodDaysUntil({ kind: 'month', value: '2027-01' }, '2026-12-31')).toEqual([]);
    expect(periodDaysUntil({ kind: 'day', value: '2026-11-22' }, '2026-12-02')).toEqual([
      '2026-11-22',
    ]);
  });
});
