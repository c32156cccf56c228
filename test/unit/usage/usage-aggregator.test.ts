import { describe, expect, it } from 'vitest';
import { addCounters, emptyCounters, UsageAggregator } from '../../../shared/usage/index.ts';
import { linkUsageKey } from '../../../shared/usage/usage-aggregator.ts';
import { createOfflineAttributionRules } from '../../../shared/usage/attribution-rules.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';
import { SIGNER_ROLE } from '../../helpers/rules.ts';

const PATH = '/usage-meter-content/a.bin';

describe('UsageAggregator', () => {
  it('adds up per customer and UTC day, per link, and untracked, and everything adds up to the input', () => {
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
    records.forEach((record, i) => usage.add(record, i + 1));
    usage.reject(6, 'too few fields');

    expect(usage.customers.get('acme')).toEqual(
      new Map([
        ['2026-11-21', { ...emptyCounters(), downloadBytes: 100, downloadRequests: 1 }],
        ['2026-11-22', { ...emptyCounters(), downloadBytes: 250, downloadRequests: 2 }],
      ]),
    );
    expect(usage.totalsByCustomer().get('globex')).toEqual({
      ...emptyCounters(),
      errorRequests: 1,
    });
    expect(usage.untrackedTotal()).toEqual({
      ...emptyCounters(),
      downloadBytes: 7,
      downloadRequests: 1,
    });
    expect(usage.untrackedByReason()).toEqual(
      new Map([['no-customer', { ...emptyCounters(), downloadBytes: 7, downloadRequests: 1 }]]),
    );
    expect(usage.links.get(linkUsageKey('L1', 'acme'))).toEqual({
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

    const all = addCounters(emptyCounters(), usage.untrackedTotal());
    for (const totals of usage.totalsByCustomer().values()) addCounters(all, totals);
    const requests =
      all.downloadRequests + all.uploadRequests + all.errorRequests + all.otherRequests;
    expect(requests).toBe(records.length);
  });

  it('rejects a record without a request time rather than guessing its day', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    usage.add(makeRecord({ time: null }), 9);
    expect([usage.records, usage.rejected, usage.samples[0]?.line]).toEqual([0, 1, 9]);
  });

  it('keeps the first five rejection reasons and counts them all', () => {
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    for (let line = 1; line <= 8; line++) usage.reject(line, `reason ${line}`);
    expect(usage.rejected).toBe(8);
    expect(usage.samples.map((s) => s.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
