import { type Account, accountKey } from './account.ts';
import type { AccountDay, LinkUsage, UsageAggregator } from './usage-aggregator.ts';
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the plan held, counted as its chunks were taken. */
export interface PlanTally {
  customers: number;
  links: number;
  chunks: number;
}

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;

/**
 * Splits a log object's usage into transactions, deterministically: the same log object
 * always gives the same chunks, so a retry skips exactly the chunks already applied. The
 * chunks come one by one as the aggregator's sorted rows are read, so a plan of any size
 * takes little memory; `tally` counts what it held.
 *
 * A totals chunk holds, per contribution, its ledger item and its daily total, plus one
 * update per (account, month) in the chunk — a transaction may touch an item only once,
 * so a month's days in one chunk are summed into one monthly update, and a chunk ends before
 * that sum would pass 2^53. An account-day that came near 2^53 comes as several entries:
 * all but the last are numbered parts, each in a chunk of its own. A links chunk holds its marker
 * item and one update per link; a link id billed to two customers in one object (only a
 * forged pair can do that), or whose sum filled up, goes into later chunks, one item per
 * transaction.
 */
export async function* planChunks(
  usage: UsageAggregator,
  tally: PlanTally = { customers: 0, links: 0, chunks: 0 },
): AsyncGenerator<Chunk> {
  const next = (chunk: DistributiveOmit<Chunk, 'index'>): Chunk => ({
    ...chunk,
    index: tally.chunks++,
  });
  const parts: Contribution[] = [];
  let current: Contribution[] = [];
  let months = new Map<string, UsageCounters>();
  let lastCustomer: string | undefined;
  const take = function* (contribution: Contribution): Generator<Chunk> {
    const { account } = contribution;
    if (account.kind === 'customer' && account.customerId !== lastCustomer) {
      lastCustomer = account.customerId;
      tally.customers++;
    }
    const month = `${accountKey(account)} ${contribution.day.slice(0, 7)}`;
    const sum = months.get(month);
    const actions = (current.length + 1) * 2 + months.size + (sum === undefined ? 1 : 0);
    if (actions > MAX_TRANSACTION_ACTIONS || (sum !== undefined && overflows(sum, contribution))) {
      yield next({ kind: 'totals', contributions: current });
      current = [];
      months = new Map();
    }
    current.push(contribution);
    months.set(
      month,
      addCounters({ ...(months.get(month) ?? emptyCounters()) }, contribution.counters),
    );
  };

  // Several entries of one account-day: all but the last are numbered parts.
  let held: AccountDay | undefined;
  let part = 0;
  for await (const entry of usage.accountDays()) {
    if (held !== undefined && sameAccountDay(held, entry)) {
      parts.push({ ...held, part: ++part });
    } else if (held !== undefined) {
      yield* take(held);
      part = 0;
    }
    held = entry;
  }
  if (held !== undefined) yield* take(held);
  if (current.length > 0) yield next({ kind: 'totals', contributions: current });
  for (const contribution of parts) yield next({ kind: 'totals', contributions: [contribution] });

  // Sorted by link id, then customer: the n-th entry of a link id goes into round n.
  const later: LinkUsage[][] = [];
  let links: LinkUsage[] = [];
  let previous: string | undefined;
  let round = 0;
  for await (const link of usage.linkUsage()) {
    tally.links++;
    round = link.linkId === previous ? round + 1 : 0;
    previous = link.linkId;
    if (round > 0) {
      (later[round - 1] ??= []).push(link);
      continue;
    }
    links.push(link);
    if (links.length === MAX_TRANSACTION_ACTIONS - 1) {
      yield next({ kind: 'links', links });
      links = [];
    }
  }
  if (links.length > 0) yield next({ kind: 'links', links });
  for (const roundLinks of later) {
    for (let start = 0; start < roundLinks.length; start += MAX_TRANSACTION_ACTIONS - 1) {
      yield next({
        kind: 'links',
        links: roundLinks.slice(start, start + MAX_TRANSACTION_ACTIONS - 1),
      });
    }
  }
}

function sameAccountDay(a: AccountDay, b: AccountDay): boolean {
  return a.day === b.day && accountKey(a.account) === accountKey(b.account);
}

/** Whether adding the contribution to a month's sum would leave the exact integers. */
function overflows(sum: UsageCounters, contribution: Contribution): boolean {
  return (
    sum.downloadBytes + contribution.counters.downloadBytes > Number.MAX_SAFE_INTEGER ||
    sum.uploadBytes + contribution.counters.uploadBytes > Number.MAX_SAFE_INTEGER
  );
}
