import { afterEach, describe, expect, it } from 'vitest';
import { accountKey } from '../../../shared/usage/account.ts';
import {
  type Chunk,
  type Contribution,
  MAX_TRANSACTION_ACTIONS,
  planChunks,
} from '../../../shared/usage/plan-chunks.ts';
import { UsageAggregator } from '../../../shared/usage/usage-aggregator.ts';
import { createOfflineAttributionRules } from '../../../shared/usage/attribution-rules.ts';
import { formatAccessLogRecord } from '../../../shared/access-log/index.ts';
import { addRecords, collect } from '../../helpers/aggregate.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';
import { SIGNER_ROLE } from '../../helpers/rules.ts';

// Aggregators that spilled keep their runs in temporary folders until discarded.
const aggregators: UsageAggregator[] = [];
const tracked = (usage: UsageAggregator) => {
  aggregators.push(usage);
  return usage;
};
afterEach(() => {
  for (const usage of aggregators.splice(0)) usage.discard();
});

/** Usage of `customers` customers over `days` days of November, one request each, with links. */
function usageOf(
  customers: number,
  days: number,
  order: 'forward' | 'backward' = 'forward',
  maxRowsInMemory?: number,
) {
  const usage = tracked(
    new UsageAggregator(
      createOfflineAttributionRules([SIGNER_ROLE]),
      maxRowsInMemory === undefined ? {} : { maxRowsInMemory },
    ),
  );
  const ids = Array.from({ length: customers }, (_, i) => `c${i}`);
  if (order === 'backward') ids.reverse();
  let line = 0;
  for (const id of ids) {
    for (let day = 1; day <= days; day++) {
      usage.addLine(
        ++line,
        formatAccessLogRecord(
          makeRecord({
            time: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`,
            requestUri: presignedUri('GET', '/b/k', id, `L${id}`),
          }),
        ),
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
  ])(
    'keeps every chunk of %i customers × %i days within one transaction',
    async (customers, days) => {
      const chunks = await collect(planChunks(usageOf(customers, days)));
      for (const chunk of chunks)
        expect(actions(chunk)).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
      const contributions = chunks.flatMap((c) => (c.kind === 'totals' ? c.contributions : []));
      expect(contributions).toHaveLength(customers * days);
      const links = chunks.flatMap((c) => (c.kind === 'links' ? c.links : []));
      expect(links).toHaveLength(customers);
    },
  );

  it('fills a chunk: 33 single-day customers take 99 actions, the 34th starts the next', async () => {
    const chunks = (await collect(planChunks(usageOf(34, 1)))).filter((c) => c.kind === 'totals');
    expect(chunks.map(actions)).toEqual([99, 3]);
  });

  it('gives the same chunks whatever order the lines came in, and however few rows fit in memory', async () => {
    const forward = await collect(planChunks(usageOf(120, 2)));
    expect(await collect(planChunks(usageOf(120, 2, 'backward')))).toEqual(forward);
    expect(await collect(planChunks(usageOf(120, 2, 'backward', 5)))).toEqual(forward);
  });

  it('puts a link id signed for two customers into separate transactions', async () => {
    const usage = tracked(new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE])));
    addRecords(usage, [
      ...['bob', 'acme', 'bob', 'carol'].map((customer, i) =>
        makeRecord({
          requestId: `R${i}`,
          requestUri: presignedUri('GET', '/b/k', customer, 'Lshared'),
        }),
      ),
      makeRecord({ requestUri: presignedUri('GET', '/b/k', 'acme', 'Lother') }),
    ]);
    const links = (await collect(planChunks(usage))).flatMap((c) =>
      c.kind === 'links' ? [c.links.map((l) => `${l.linkId}:${l.customerId}`)] : [],
    );
    expect(links).toEqual([['Lother:acme', 'Lshared:acme'], ['Lshared:bob'], ['Lshared:carol']]);
  });

  it.each([undefined, 3])(
    'keeps every sum it writes exact when a customer-day passes 2^53 bytes (%s rows in memory)',
    async (maxRowsInMemory) => {
      const usage = tracked(
        new UsageAggregator(
          createOfflineAttributionRules([SIGNER_ROLE]),
          maxRowsInMemory === undefined ? {} : { maxRowsInMemory },
        ),
      );
      const most = 5 * 1024 ** 4;
      addRecords(
        usage,
        Array.from({ length: 2500 }, (_, line) =>
          makeRecord({
            requestId: `R${line}`,
            // Other customers' rows around it make the table spill when it holds few.
            bytesSent: most,
            requestUri: presignedUri(
              'GET',
              '/b/k',
              line % 100 === 0 ? `other${line}` : 'huge',
              'Lhuge',
            ),
          }),
        ),
      );
      const isHuge = (x: Contribution) =>
        x.account.kind === 'customer' && x.account.customerId === 'huge';
      const chunks = (await collect(planChunks(usage))).filter((c) =>
        c.kind === 'totals'
          ? c.contributions.some(isHuge)
          : c.links.some((l) => l.customerId === 'huge'),
      );
      const contributions = chunks.flatMap((c) =>
        c.kind === 'totals' ? c.contributions.filter(isHuge) : [],
      );
      const links = chunks.flatMap((c) =>
        c.kind === 'links' ? c.links.filter((l) => l.customerId === 'huge') : [],
      );
      for (const { counters } of [...contributions, ...links]) {
        expect(Number.isSafeInteger(counters.downloadBytes)).toBe(true);
      }
      const exact = 2475n * BigInt(most);
      const sum = (items: Array<{ counters: { downloadBytes: number } }>) =>
        items.reduce((total, { counters }) => total + BigInt(counters.downloadBytes), 0n);
      expect(sum(contributions)).toBe(exact);
      expect(sum(links)).toBe(exact);
      expect(contributions.map((c) => c.part)).toEqual([undefined, 1]);
      // Two parts of one day never share a transaction (it would touch the daily total twice).
      expect(chunks.filter((c) => c.kind === 'totals')).toHaveLength(2);
      expect(chunks.filter((c) => c.kind === 'links')).toHaveLength(2);
    },
  );

  it('plans nothing for a log with no records', async () => {
    expect(
      await collect(
        planChunks(tracked(new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE])))),
      ),
    ).toEqual([]);
  });
});
