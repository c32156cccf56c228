import type { UntrackedReason } from './attribution-rules.ts';
import type { Period } from './period.ts';
import { addCounters, emptyCounters, type UsageCounters } from './usage-counters.ts';
import type { UsageStore } from './usage-store.ts';

/** A period's usage as billing reads it: every customer's totals, and what billed nobody. */
export interface PeriodUsage {
  /** By customer id. */
  customers: Array<{ customerId: string } & UsageCounters>;
  untrackedByReason: Map<UntrackedReason, UsageCounters>;
  /** The untracked totals over all reasons. */
  untracked: UsageCounters;
}

/** Reads a period's usage: one Query of the index for the customers, one for the untracked. */
export async function readPeriodUsage(store: UsageStore, period: Period): Promise<PeriodUsage> {
  const customers = (await store.listTotals(period))
    .map(({ customerId, period: _, ...counters }) => ({ customerId, ...counters }))
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  const untrackedByReason = await store.listUntrackedTotals(period);
  const untracked = emptyCounters();
  for (const counters of untrackedByReason.values()) addCounters(untracked, counters);
  return { customers, untrackedByReason, untracked };
}
