import { describe, expect, it } from 'vitest';
import { accountKey } from '../../../shared/usage/account.ts';
import {
  type Chunk,
  MAX_TRANSACTION_ACTIONS,
  planChunks,
} from '../../../shared/usage/plan-chunks.ts';
import { UsageAggregator } from '../../../shared/usage/usage-aggregator.ts';
import { createOfflineAttributionRules } from '../../../shared/usage/attribution-rules.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';
import { SIGNER_ROLE } from '../../helpers/rules.ts';

/** Usage of `customers` customers over `days` days of November, one request each, with links. */
function usageOf(customers: number, days: number, order: 'forward' | 'backward' = 'forward') {
  const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
  const ids = Array.from({ length: customers }, (_, i) => `c${i}`);
  if (order === 'backward') ids.reverse();
  let line = 0;
  for (const id of ids) {
    for (let day = 1; day <= days; day++) {
      usage.add(
        makeRecord({
          time: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`,
          requestUri: presignedUri('GET', '/b/k', id, `L${id}`),
        }),
        ++line,
      );
    }
  }
  return usage;
}

/** The actions a totals chunk takes: ledger + daily per contribution, one per account-month. */
function actions(chunk: Chunk): number {
  if (chunk.kind === 'links') return chunk.links.length + 1;
  const months = new Set(
    chunk.contributions.map((c) => `${accountKey(c.account)} ${c.day.slice(0, 7)}`),
  );
  return chunk.contributions.length * 2 + months.size;
}

describe('planChunks', () => {
  it.each([
    [1, 1],
    [33, 1],
    [34, 1],
    [1, 30],
    [250, 3],
  ])('keeps every chunk of %i customers × %i days within one transaction', (customers, days) => {
    const chunks = planChunks(usageOf(customers, days));
    for (const chunk of chunks) expect(actions(chunk)).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
    const contributions = chunks.flatMap((c) => (c.kind === 'totals' ? c.contributions : []));
    expect(contributions).toHaveLength(customers * days);
    const links = chunks.flatMap((c) => (c.kind === 'links' ? c.links : []));
    expect(links).toHaveLength(customers);
  });

  it('fills a chunk: 33 single-day customers take 99 actions, the 34th starts the next', () => {
    const chunks = planChunks(usageOf(34, 1)).filter((c) => c.kind === 'totals');
    expect(chunks.map(actions)).toEqual([99, 3]);
  });

  it('gives the same chunks whatever order the lines came in', () => {
    expect(planChunks(usageOf(120, 2, 'backward'))).toEqual(planChunks(usageOf(120, 2)));
  });

  it('puts a link id signed for two customers into separate transactions', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    for (const [line, customer] of ['bob', 'acme', 'bob', 'carol'].entries()) {
      usage.add(makeRecord({ requestUri: presignedUri('GET', '/b/k', customer, 'Lshared') }), line);
    }
    usage.add(makeRecord({ requestUri: presignedUri('GET', '/b/k', 'acme', 'Lother') }), 9);
    const links = planChunks(usage).flatMap((c) =>
      c.kind === 'links' ? [c.links.map((l) => `${l.linkId}:${l.customerId}`)] : [],
    );
    expect(links).toEqual([['Lother:acme', 'Lshared:acme'], ['Lshared:bob'], ['Lshared:carol']]);
  });

  it('keeps every sum it writes exact when a customer-day passes 2^53 bytes', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    const most = 5 * 1024 ** 4;
    for (let line = 0; line < 2500; line++) {
      usage.add(
        makeRecord({
          requestId: `R${line}`,
          bytesSent: most,
          requestUri: presignedUri('GET', '/b/k', 'huge', 'Lhuge'),
        }),
        line,
      );
    }
    const chunks = planChunks(usage);
    const contributions = chunks.flatMap((c) => (c.kind === 'totals' ? c.contributions : []));
    const links = chunks.flatMap((c) => (c.kind === 'links' ? c.links : []));
    for (const { counters } of [...contributions, ...links]) {
      expect(Number.isSafeInteger(counters.downloadBytes)).toBe(true);
    }
    const exact = 2500n * BigInt(most);
    const sum = (items: Array<{ counters: { downloadBytes: number } }>) =>
      items.reduce((total, { counters }) => total + BigInt(counters.downloadBytes), 0n);
    expect(sum(contributions)).toBe(exact);
    expect(sum(links)).toBe(exact);
    expect(contributions.map((c) => c.part)).toEqual([undefined, 1]);
    // Two parts of one day never share a transaction (it would touch the daily total twice).
    expect(chunks.filter((c) => c.kind === 'totals')).toHaveLength(2);
    expect(chunks.filter((c) => c.kind === 'links')).toHaveLength(2);
  });

  it('plans nothing for a log with no records', () => {
    expect(planChunks(new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE])))).toEqual(
      [],
    );
  });
});
