import { readdirSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { addCounters, emptyCounters, UsageAggregator } from '../../../shared/usage/index.ts';
import { addRecords, collect } from '../../helpers/aggregate.ts';
import { createOfflineAttributionRules } from '../../../shared/usage/attribution-rules.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';
import { SIGNER_ROLE } from '../../helpers/rules.ts';
import { SeenRequests } from '../../../shared/usage/seen-requests.ts';
import {
  CountedRequests,
  hasRepeat,
  haveOneInCommon,
  sortRequestHashes,
} from '../../../shared/usage/counted-requests.ts';

const PATH = '/usage-meter-content/a.bin';

/** Two downloads of one customer, with request IDs of their own, for the repeat checks. */
function twoRequests() {
  return {
    rules: createOfflineAttributionRules([SIGNER_ROLE]),
    record: makeRecord({ bytesSent: 10, requestUri: presignedUri('GET', PATH, 'acme') }),
    other: makeRecord({
      requestId: 'OTHER0000000000',
      bytesSent: 5,
      requestUri: presignedUri('GET', PATH, 'acme'),
    }),
  };
}

describe('UsageAggregator', () => {
  it('adds up per customer and UTC day, per link, and untracked, and everything adds up to the input', async () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    const records = [
      makeRecord({
        time: '2026-11-21T23:59:59Z',
        bytesSent: 100,
        requestUri: presignedUri('GET', PATH, 'acme', 'L1'),
      }),
      makeRecord({
        time: '2026-11-22T00:00:00Z',
        bytesSent: 200,
        requestUri: presignedUri('GET', PATH, 'acme', 'L1'),
      }),
      makeRecord({
        time: '2026-11-22T08:00:00Z',
        httpStatus: 206,
        bytesSent: 50,
        requestUri: presignedUri('GET', PATH, 'acme', 'L2'),
      }),
      makeRecord({
        time: '2026-11-22T09:00:00Z',
        httpStatus: 403,
        requestUri: presignedUri('GET', PATH, 'globex', 'L3'),
      }),
      makeRecord({
        time: '2026-11-22T10:00:00Z',
        bytesSent: 7,
        requestUri: presignedUri('GET', PATH, null),
      }),
    ];
    addRecords(usage, records);
    usage.reject(6, 'too few fields');

    const days = await collect(usage.accountDays());
    expect(
      days.filter((d) => d.account.kind === 'customer' && d.account.customerId === 'acme'),
    ).toEqual([
      {
        account: { kind: 'customer', customerId: 'acme' },
        day: '2026-11-21',
        counters: { ...emptyCounters(), downloadBytes: 100, downloadRequests: 1 },
      },
      {
        account: { kind: 'customer', customerId: 'acme' },
        day: '2026-11-22',
        counters: { ...emptyCounters(), downloadBytes: 250, downloadRequests: 2 },
      },
    ]);
    const totals = await usage.totals();
    expect(totals.customers.get('globex')).toEqual({
      ...emptyCounters(),
      errorRequests: 1,
    });
    expect(totals.untracked).toEqual(
      new Map([['no-customer', { ...emptyCounters(), downloadBytes: 7, downloadRequests: 1 }]]),
    );
    expect((await collect(usage.linkUsage()))[0]).toEqual({
      linkId: 'L1',
      customerId: 'acme',
      counters: { ...emptyCounters(), downloadBytes: 300, downloadRequests: 2 },
      firstAccess: '2026-11-21T23:59:59Z',
      lastAccess: '2026-11-22T00:00:00Z',
    });
    expect([usage.records, usage.rejected, usage.samples]).toEqual([
      5,
      1,
      [{ line: 6, reason: 'too few fields' }],
    ]);

    const all = emptyCounters();
    for (const each of [...totals.customers.values(), ...totals.untracked.values()]) {
      addCounters(all, each);
    }
    const requests =
      all.downloadRequests + all.uploadRequests + all.errorRequests + all.otherRequests;
    expect(requests).toBe(records.length);
  });

  it('rejects a record without a request time rather than guessing its day', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    addRecords(usage, [makeRecord({ requestId: 'A' }), makeRecord({ requestId: 'B', time: null })]);
    expect([usage.records, usage.rejected, usage.samples[0]?.line]).toEqual([1, 1, 2]);
  });

  it('keeps a link apart per customer it was signed for, even line after line', async () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    const download = (requestId: string, customer: string, bytesSent: number) =>
      makeRecord({ requestId, bytesSent, requestUri: presignedUri('GET', PATH, customer, 'L1') });
    addRecords(usage, [
      download('A', 'acme', 100),
      download('B', 'globex', 10),
      download('C', 'globex', 20),
      download('D', 'acme', 1),
    ]);
    const links = await collect(usage.linkUsage());
    expect(links.map((l) => [l.linkId, l.customerId, l.counters.downloadBytes])).toEqual([
      ['L1', 'acme', 101],
      ['L1', 'globex', 30],
    ]);
    usage.discard();
  });

  it('keeps the first five rejection reasons and counts them all', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    for (let line = 1; line <= 8; line++) usage.reject(line, `reason ${line}`);
    expect(usage.rejected).toBe(8);
    expect(usage.samples.map((s) => s.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts a line repeated with its request ID once, and the same request ID on another line again', async () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    const download = (bytesSent: number) =>
      makeRecord({
        requestId: 'SAME',
        bytesSent,
        requestUri: presignedUri('GET', PATH, 'acme', 'L1'),
      });
    addRecords(usage, [download(10), download(10), download(20), download(10)]);
    expect([usage.records, usage.duplicates]).toEqual([2, 2]);
    expect((await usage.totals()).customers.get('acme')?.downloadBytes).toBe(30);
  });

  it('gives the same rows with 2 rows in memory as with all of them, and leaves no file behind', async () => {
    const records = Array.from({ length: 60 }, (_, i) =>
      makeRecord({
        requestId: `R${i}`,
        time: `2026-11-${String((i % 3) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`,
        bytesSent: 1000 + i,
        requestUri: presignedUri('GET', PATH, `c${i % 7}`, `L${i % 11}`),
      }),
    );
    const rules = createOfflineAttributionRules([SIGNER_ROLE]);
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('usage-meter-'));
    const small = addRecords(new UsageAggregator(rules, { maxRowsInMemory: 2 }), records);
    const large = addRecords(new UsageAggregator(rules), records);
    const spilled = readdirSync(tmpdir()).filter(
      (name) => name.startsWith('usage-meter-') && !before.includes(name),
    );
    // One folder of runs for the account-days, one for the links.
    expect(spilled).toHaveLength(2);
    const days = await collect(small.accountDays());
    expect(days).toHaveLength(21);
    expect(days).toEqual(await collect(large.accountDays()));
    const links = await collect(small.linkUsage());
    // Link ids and customers repeat every 11 and 7 lines: 60 lines are 60 distinct pairs.
    expect(links).toHaveLength(60);
    expect(links).toEqual(await collect(large.linkUsage()));
    expect(links.reduce((sum, l) => sum + l.counters.downloadBytes, 0)).toBe(
      60 * 1000 + (59 * 60) / 2,
    );
    small.discard();
    large.discard();
    expect(readdirSync(tmpdir()).filter((name) => spilled.includes(name))).toEqual([]);
  });

  it('takes the requests another aggregator saw as seen, when their repeat checks share a seed', async () => {
    const { rules, record, other } = twoRequests();
    const first = new SeenRequests(42);
    addRecords(new UsageAggregator(rules, { seen: first }), [record]);

    const later = new SeenRequests(42);
    later.addHashes(first.hashes());
    const usage = addRecords(new UsageAggregator(rules, { seen: later }), [record, other]);
    expect(usage.duplicates).toBe(1);
    expect((await usage.totals()).customers.get('acme')?.downloadBytes).toBe(5);

    // Under another seed the same request is not recognised: the hashes only compare so.
    const unseeded = new SeenRequests(7);
    unseeded.addHashes(first.hashes());
    const apart = addRecords(new UsageAggregator(rules, { seen: unseeded }), [record]);
    expect(apart.duplicates).toBe(0);
    expect(first.hashes()).toHaveLength(2);

    // A hash with a half of 0 is held all the same (only 0/0 marks an empty slot).
    const halves = new SeenRequests(42);
    halves.addHashes(Uint32Array.of(0, 5, 7, 0, 0, 5));
    expect([...halves.hashes()].sort()).toEqual([0, 0, 5, 7]);
  });

  it('counts every line when it checks for repeats afterwards, with the hashes a check line by line makes', async () => {
    const { rules, record, other } = twoRequests();
    const counted = new CountedRequests(42);
    const usage = addRecords(new UsageAggregator(rules, { seen: counted }), [
      record,
      other,
      record,
    ]);
    expect(usage.duplicates).toBe(0);
    expect((await usage.totals()).customers.get('acme')?.downloadBytes).toBe(25);

    const seen = new SeenRequests(42);
    addRecords(new UsageAggregator(rules, { seen }), [record, other]);
    const pairs = (hashes: Uint32Array) =>
      Array.from({ length: hashes.length / 2 }, (_, i) => `${hashes[2 * i]}/${hashes[2 * i + 1]}`);
    const countedPairs = pairs(counted.hashes());
    expect(countedPairs).toHaveLength(3);
    expect(countedPairs[2]).toBe(countedPairs[0]);
    expect(new Set(countedPairs)).toEqual(new Set(pairs(seen.hashes())));
    // The repeat shows once the hashes are sorted; a check line by line left it out.
    expect(hasRepeat(sortRequestHashes(counted.hashes()))).toBe(true);
    expect(hasRepeat(sortRequestHashes(seen.hashes()))).toBe(false);
  });
});

describe('sortRequestHashes', () => {
  // Hashes as pairs of halves, each given high half first, in the order the machine keeps them.
  const LE = endianness() === 'LE';
  const pairsOf = (...hashes: Array<[number, number]>) =>
    Uint32Array.from(hashes.flatMap(([high, low]) => (LE ? [low, high] : [high, low])));
  const hashesOf = (pairs: Uint32Array) =>
    Array.from({ length: pairs.length / 2 }, (_, i) =>
      LE ? [pairs[2 * i + 1], pairs[2 * i]] : [pairs[2 * i], pairs[2 * i + 1]],
    );

  it('sorts hashes by their 64-bit value, high half first, as unsigned numbers', () => {
    const sorted = sortRequestHashes(
      pairsOf([2, 0], [1, 0xffffffff], [0xffffffff, 0], [1, 5], [0, 0x80000000]),
    );
    expect(hashesOf(sorted)).toEqual([
      [0, 0x80000000],
      [1, 5],
      [1, 0xffffffff],
      [2, 0],
      [0xffffffff, 0],
    ]);
    expect(hasRepeat(sorted)).toBe(false);
    expect(hasRepeat(new Uint32Array())).toBe(false);
    expect(hasRepeat(sortRequestHashes(pairsOf([9, 3], [4, 4], [9, 3])))).toBe(true);
    // Alike in one half only is not alike.
    expect(hasRepeat(sortRequestHashes(pairsOf([9, 3], [9, 4], [3, 9])))).toBe(false);
  });

  it('tells whether two sets of sorted hashes have one in common, wherever it lies', () => {
    const a = sortRequestHashes(pairsOf([0, 1], [0, 4], [1, 0], [7, 7]));
    const common = (...hashes: Array<[number, number]>) =>
      haveOneInCommon(a, sortRequestHashes(pairsOf(...hashes)));
    expect(common([0, 2], [7, 7])).toBe(true);
    expect(common([0, 0], [0, 1])).toBe(true);
    expect(common([1, 0])).toBe(true);
    expect(common([0, 5], [0, 0xffffffff])).toBe(false);
    expect(common([4, 0], [1, 1], [7, 8])).toBe(false);
    expect(common()).toBe(false);
    expect(haveOneInCommon(new Uint32Array(), a)).toBe(false);
  });
});
