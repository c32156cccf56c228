import { type Account, accountKey } from './account.ts';
import type { LinkUsage, UsageAggregator } from './usage-aggregator.ts';
import { addCounters, emptyCounters, type UsageCounters } from './usage-counters.ts';

/** What one log object adds to one account on one UTC day. */
export interface Contribution {
  account: Account;
  day: string;
  counters: UsageCounters;
  /** 1, 2, …: more of the same account-day, when its bytes passed what one number holds. */
  part?: number;
}

/** One transaction's worth of work; applying it twice must change nothing the second time. */
export type Chunk =
  | { kind: 'totals'; index: number; contributions: Contribution[] }
  | { kind: 'links'; index: number; links: LinkUsage[] };

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;

/**
 * Splits a log object's usage into transactions, deterministically: the same log object
 * always gives the same chunks, so a retry skips exactly the chunks already applied.
 *
 * A totals chunk holds, per contribution, its ledger item and its daily total, plus one
 * update per (account, month) in the chunk — a transaction may touch an item only once,
 * so a month's days in one chunk are summed into one monthly update, and a chunk ends before
 * that sum would pass 2^53. An account-day that filled up (`UsageAggregator.parts`) goes
 * into chunks of its own, one part each. A links chunk holds its marker item and one update
 * per link; a link id billed to two customers in one object (only a forged pair can do
 * that), or whose sum filled up, goes into separate chunks, one item per transaction.
 */
export function planChunks(usage: UsageAggregator): Chunk[] {
  const contributions: Contribution[] = [];
  for (const [customerId, days] of [...usage.customers].sort(byKey)) {
    for (const [day, counters] of [...days].sort(byKey)) {
      contributions.push({ account: { kind: 'customer', customerId }, day, counters });
    }
  }
  for (const [reason, days] of [...usage.untracked].sort(byKey)) {
    for (const [day, counters] of [...days].sort(byKey)) {
      contributions.push({ account: { kind: 'untracked', reason }, day, counters });
    }
  }

  const chunks: Chunk[] = [];
  let current: Contribution[] = [];
  let months = new Map<string, UsageCounters>();
  for (const contribution of contributions) {
    const month = `${accountKey(contribution.account)} ${contribution.day.slice(0, 7)}`;
    const sum = months.get(month);
    const actions = (current.length + 1) * 2 + months.size + (sum === undefined ? 1 : 0);
    if (actions > MAX_TRANSACTION_ACTIONS || (sum !== undefined && overflows(sum, contribution))) {
      chunks.push({ kind: 'totals', index: chunks.length, contributions: current });
      current = [];
      months = new Map();
    }
    current.push(contribution);
    months.set(
      month,
      addCounters({ ...(months.get(month) ?? emptyCounters()) }, contribution.counters),
    );
  }
  if (current.length > 0) {
    chunks.push({ kind: 'totals', index: chunks.length, contributions: current });
  }
  const parts = new Map<string, number>();
  for (const { account, day, counters } of usage.parts) {
    const key = `${accountKey(account)} ${day}`;
    const part = (parts.get(key) ?? 0) + 1;
    parts.set(key, part);
    chunks.push({
      kind: 'totals',
      index: chunks.length,
      contributions: [{ account, day, counters, part }],
    });
  }

  // Sorted by link id, then customer: the n-th customer of a link id goes into round n.
  const rounds: LinkUsage[][] = [];
  let previous: string | undefined;
  let round = 0;
  for (const [, link] of [...usage.links].sort(byKey)) {
    round = link.linkId === previous ? round + 1 : 0;
    previous = link.linkId;
    (rounds[round] ??= []).push(link);
  }
  for (const links of rounds) {
    for (let start = 0; start < links.length; start += MAX_TRANSACTION_ACTIONS - 1) {
      chunks.push({
        kind: 'links',
        index: chunks.length,
        links: links.slice(start, start + MAX_TRANSACTION_ACTIONS - 1),
      });
    }
  }
  return chunks;
}

/** Whether adding the contribution to a month's sum would leave the exact integers. */
function overflows(sum: UsageCounters, contribution: Contribution): boolean {
  return (
    sum.downloadBytes + contribution.counters.downloadBytes > Number.MAX_SAFE_INTEGER ||
    sum.uploadBytes + contribution.counters.uploadBytes > Number.MAX_SAFE_INTEGER
  );
}

function byKey<V>(a: [string, V], b: [string, V]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
