import type { Customer } from '../customers/customer.ts';
import { emptyCounters, type UsageCounters } from './usage-counters.ts';
import type { UsageStore } from './usage-store.ts';

/** Where a customer stands against its monthly byte budget. */
export interface BudgetStatus {
  /** The UTC month, `2026-11`. */
  month: string;
  monthlyBytes: number;
  /** Bytes downloaded plus uploaded, as metered so far: it runs behind the requests. */
  usedBytes: number;
  remainingBytes: number;
  /** Once reached, new links are refused until the month ends. */
  reached: boolean;
}

/** The budget's state given a month's totals. */
export function budgetStatus(
  monthlyBytes: number,
  month: string,
  totals: UsageCounters,
): BudgetStatus {
  const usedBytes = totals.downloadBytes + totals.uploadBytes;
  return {
    month,
    monthlyBytes,
    usedBytes,
    remainingBytes: Math.max(monthlyBytes - usedBytes, 0),
    reached: usedBytes >= monthlyBytes,
  };
}

/** The customer's budget state in a month (one read of its totals); undefined without a budget. */
export async function readBudgetStatus(
  usage: UsageStore,
  customer: Customer,
  month: string,
): Promise<BudgetStatus | undefined> {
  const budget = customer.monthlyByteBudget;
  if (budget === undefined) return undefined;
  const account = { kind: 'customer', customerId: customer.customerId } as const;
  const totals = await usage.getTotals(account, { kind: 'month', value: month });
  return budgetStatus(budget, month, totals ?? emptyCounters());
}
