import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAccessLogRecord, parseLine } from '../../../shared/access-log/index.ts';
import { attributeRequest } from '../../../shared/usage/attribute-request.ts';
import {
  type AttributionRules,
  createOfflineAttributionRules,
} from '../../../shared/usage/attribution-rules.ts';
import {
  addCounters,
  emptyCounters,
  UsageAggregator,
  type UsageCounters,
} from '../../../shared/usage/index.ts';
import { collect } from '../../helpers/aggregate.ts';
import { readCorpus } from '../../helpers/corpus.ts';
import { makeRecord } from '../../helpers/records.ts';
import { customer, OPERATOR_ARN, SIGNER_SESSION, testRules } from '../../helpers/rules.ts';

/**
 * What the lines add up to by the reference path — `parseLine` into full records, then
 * `attributeRequest` — in plain maps: what the fast path must give, row for row.
 */
function reference(lines: string[], rules: AttributionRules) {
  const accountDays = new Map<string, UsageCounters>();
  const links = new Map<string, { counters: UsageCounters; first: string; last: string }>();
  const seen = new Set<string>();
  let records = 0;
  let rejected = 0;
  let duplicates = 0;
  for (const line of lines) {
    const result = parseLine(line);
    if (!result.ok) {
      rejected++;
      continue;
    }
    const attribution = attributeRequest(result.record, rules);
    const { time, requestId } = result.record;
    if (attribution === undefined || time === null) {
      rejected++;
      continue;
    }
    if (requestId !== null) {
      // A repeat: the same request ID billing the same, in a line of the same length.
      const r = result.record;
      const request = JSON.stringify([
        requestId,
        r.operation?.length,
        r.key?.length,
        attribution.customerId ?? attribution.untracked,
        attribution.linkId,
        line.length,
        time,
        r.httpStatus,
        r.bytesSent,
        r.objectSize,
        r.totalTime,
        r.turnAroundTime,
      ]);
      if (seen.has(request)) {
        duplicates++;
        continue;
      }
      seen.add(request);
    }
    records++;
    const account = attribution.customerId ?? `untracked:${attribution.untracked}`;
    const key = `${account} ${attribution.day}`;
    accountDays.set(
      key,
      addCounters(accountDays.get(key) ?? emptyCounters(), attribution.counters),
    );
    if (attribution.linkId !== null) {
      const linkKey = `${attribution.linkId} ${attribution.customerId}`;
      const link = links.get(linkKey) ?? { counters: emptyCounters(), first: time, last: time };
      addCounters(link.counters, attribution.counters);
      if (time < link.first) link.first = time;
      if (time > link.last) link.last = time;
      links.set(linkKey, link);
    }
  }
  // Each account's totals over its days: customers by id, then untracked reasons by name.
  const totals = new Map<string, UsageCounters>();
  for (const [key, counters] of accountDays) {
    const account = key.slice(0, key.lastIndexOf(' '));
    totals.set(account, addCounters(totals.get(account) ?? emptyCounters(), counters));
  }
  const byName = ([a]: [string, UsageCounters], [b]: [string, UsageCounters]) =>
    Number(a.startsWith('untracked:')) - Number(b.startsWith('untracked:')) || (a < b ? -1 : 1);
  return {
    accountDays,
    links,
    totals: [...totals].sort(byName),
    records,
    rejected,
    duplicates,
  };
}

async function fast(lines: string[], rules: AttributionRules, maxRowsInMemory?: number) {
  const usage = new UsageAggregator(rules, maxRowsInMemory ? { maxRowsInMemory } : {});
  lines.forEach((line, i) => usage.addLine(i + 1, line));
  const accountDays = new Map<string, UsageCounters>();
  for await (const { account, day, counters } of usage.accountDays()) {
    const name = account.kind === 'customer' ? account.customerId : `untracked:${account.reason}`;
    accountDays.set(`${name} ${day}`, counters);
  }
  const links = new Map(
    (await collect(usage.linkUsage())).map((l) => [
      `${l.linkId} ${l.customerId}`,
      { counters: l.counters, first: l.firstAccess, last: l.lastAccess },
    ]),
  );
  const { customers, untracked } = await usage.totals();
  const totals = [
    ...customers,
    ...[...untracked].map(([reason, counters]) => [`untracked:${reason}`, counters] as const),
  ];
  usage.discard();
  const { records, rejected, duplicates } = usage;
  return { accountDays, links, totals, records, rejected, duplicates };
}

// Requests as the attribution rule sees them: every field it reads takes its telling values.
const customerIds = fc.constantFrom('acme', 'bob', 'zed', 'bad id', '%61cme', '', 'a'.repeat(65));
const parameter = fc.oneof(
  customerIds.map((id) => `x-customer-id=${encodeURIComponent(id)}`),
  customerIds.map((id) => `x%2Dcustomer-id=${id}`),
  // A name whose first character is encoded: S3 decodes it to ours all the same.
  customerIds.map((id) => `%78-customer-id=${id}`),
  fc.constantFrom(
    '%78-link-id=L2',
    'x-link-id=L1',
    'x-link-id=L2',
    'x-link-id=bad*link',
    'x-link-id',
    'X-Amz-Signature=ab',
    'Signature=x',
    'x-id=GetObject',
  ),
);
const requestUri = fc.oneof(
  fc.array(parameter, { maxLength: 4 }).map((ps) => `GET /b/k?${ps.join('&')} HTTP/1.1`),
  fc.array(parameter, { maxLength: 3 }).map((ps) => `GET /b/k?${ps.join('&')}`),
  fc.constant(null),
);
const request = fc.record({
  requestId: fc.constantFrom('R1', 'R2', 'R3', null),
  time: fc.constantFrom(
    '2026-11-30T23:59:59Z',
    '2026-12-01T00:00:00Z',
    '2026-12-01T10:00:00Z',
    null,
  ),
  requester: fc.constantFrom(SIGNER_SESSION, OPERATOR_ARN, null),
  operation: fc.constantFrom(
    'REST.GET.OBJECT',
    'REST.PUT.OBJECT',
    'REST.POST.OBJECT',
    'REST.PUT.PART',
    'REST.HEAD.OBJECT',
    'REST.COMPLETE.UPLOAD',
    null,
  ),
  key: fc.constantFrom(
    'uploads/acme/a.bin',
    'uploads/bob/b+c.bin',
    'uploads/zed/x',
    'public/x',
    null,
  ),
  requestUri,
  httpStatus: fc.constantFrom(200, 206, 204, 304, 403, 404, 500, null),
  errorCode: fc.constantFrom(null, 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken'),
  bytesSent: fc.option(fc.nat({ max: 10_000 }), { nil: null }),
  objectSize: fc.option(fc.nat({ max: 10_000 }), { nil: null }),
  signatureVersion: fc.constantFrom('SigV4', 'SigV2', null),
  authType: fc.constantFrom('QueryString', 'AuthHeader', null),
});
const rules = testRules([customer('acme'), customer('bob')]);

describe('the metering fast path adds up what the reference parser and rule add up', () => {
  it('for arbitrary requests, repeats and broken lines, in memory and spilled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 8, arbitrary: request.map((r) => formatAccessLogRecord(makeRecord(r))) },
            { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
          ),
          { maxLength: 40 },
        ),
        fc.constantFrom(undefined, 1, 3),
        async (lines, maxRows) => {
          const all = [...lines, ...lines.slice(0, 5)];
          expect(await fast(all, rules, maxRows)).toEqual(reference(all, rules));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('for every corpus line', async () => {
    const lines = readCorpus().map((c) => c.text);
    const offline = createOfflineAttributionRules([]);
    const expected = reference(lines, offline);
    expect(expected.records).toBeGreaterThan(40);
    expect(await fast(lines, offline)).toEqual(expected);
  });
});
