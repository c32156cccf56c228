import type { UntrackedReason } from './attribution-rules.ts';
import type { Period } from './period.ts';
import { type Settlement, settlementOf } from './settlement.ts';
import { addCounters, emptyCounters, type UsageCounters } from './usage-counters.ts';
import type { LateContribution, UsageStore } from './usage-store.ts';

/** A period's usage as billing reads it: every customer's totals, and what billed nobody. */
export interface PeriodUsage {
  /** By customer id. */
  customers: Array<{ customerId: string } & UsageCounters>;
  untrackedByReason: Map<UntrackedReason, UsageCounters>;
  /** The untracked totals over all reasons. */
  untracked: UsageCounters;
  settlement: Settlement;
  /**
   * What was metered for the period after it settled, oldest first: already in the totals,
   * and to be billed as adjustments of a period billing took as final. None while open.
   */
  lateAdjustments: LateContribution[];
}

/** When the period is read, and how long after its end its usage may still change. */
export interface SettleClock {
  now: Date;
  settleWindowHours: number;
}

/**
 * Reads a period's usage: one Query of the index for the customers, one for the late
 * adjustments once the period settled, and a read per reason for the untracked.
 */
export async function readPeriodUsage(
  store: UsageStore,
  period: Period,
  clock: SettleClock,
): Promise<PeriodUsage> {
  const customers = (await store.listTotals(period))
    .map(({ customerId, period: _, ...counters }) => ({ customerId, ...counters }))
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  const untrackedByReason = await store.listUntrackedTotals(period);
  const untracked = emptyCounters();
  for (const counters of untrackedByReason.values()) addCounters(untracked, counters);
  const settlement = settlementOf(period, clock.now, clock.settleWindowHours);
  const lateAdjustments = await readLateAdjustments(store, period, settlement);
  return { customers, untrackedByReason, untracked, settlement, lateAdjustments };
}

/** The contributions to the period's days applied once it had settled; none while it is open. */
export async function readLateAdjustments(
  store: UsageStore,
  period: Period,
  settlement: Settlement,
): Promise<LateContribution[]> {
  if (settlement.status === 'open') return [];
  const late = await store.listLateContributions(period.value.slice(0, 7), settlement.settlesAt);
  return period.kind === 'month' ? late : late.filter(({ day }) => day === period.value);
}
