import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMeterLogsHandler } from '../../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../../functions/meter-logs/meter-logs-deps.ts';
import { createS3LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { lazyAttributionRules } from '../../shared/metering/load-attribution-rules.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { parsePeriod, type Period } from '../../shared/usage/period.ts';
import { COUNTER_NAMES, emptyCounters } from '../../shared/usage/usage-counters.ts';
import type { LogSummary } from '../../shared/usage/usage-store.ts';
import { logCreatedEvent, logLine, type Request } from '../helpers/log-objects.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { seedCustomers, seedLinks } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';

const LOGS = 'shared-test-bucket';
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let store: DynamoDbUsageStore;
let objects = 0;

const silent = new Logger({ logLevel: 'SILENT' });
const period = (text: string): Period => parsePeriod(text) ?? { kind: 'day', value: 'bad' };
const customer = (customerId: string) => ({ kind: 'customer', customerId }) as const;

function handlerWith(documents: DynamoDBDocumentClient, logger = silent, metrics?: Metrics) {
  return createMeterLogsHandler({
    ...createMeterLogsDeps({
      config: { tableName: table.tableName, logPrefix: 'logs/', signers: [SIGNER_ROLE] },
      s3,
      documents,
      logger,
    }),
    ...(metrics === undefined ? {} : { metrics }),
  });
}

/** The embedded metric format lines `run` writes to stdout: each metric's value(s). */
async function emfLinesOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return written
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Puts a log object of these lines under logs/ and returns its key. */
async function putLog(lines: string[], stamp = '2026-11-22-10-20-00'): Promise<string> {
  const key = `logs/${stamp}-${String(++objects).padStart(16, '0')}`;
  await s3.send(new PutObjectCommand({ Bucket: LOGS, Key: key, Body: `${lines.join('\n')}\n` }));
  return key;
}

/**
 * The table's document client, recording the name of every command sent; with `failAfter`,
 * TransactWriteItems fails after that many successes: a crash in the middle of an object.
 */
function instrumented(failAfter = Infinity) {
  const sent: string[] = [];
  let transactions = 0;
  const real = table.documents;
  const client = new Proxy(real, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver) as unknown;
      return (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        if (command instanceof TransactWriteCommand && ++transactions > failAfter) {
          return Promise.reject(new Error('Lambda timed out'));
        }
        return real.send(command as TransactWriteCommand);
      };
    },
  });
  return { client, sent };
}

function downloads(bytes: number, requests: number) {
  return { ...emptyCounters(), downloadBytes: bytes, downloadRequests: requests };
}

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  store = new DynamoDbUsageStore(table.documents, table.tableName);
});
afterAll(() => {
  s3?.destroy();
  table?.destroy();
});

describe('meter-logs on DynamoDB Local and the local S3', () => {
  it('counts a log object delivered three times once, and the repeats write nothing', async () => {
    await seedCustomers(table, ['thrice']);
    const key = await putLog([
      logLine({ customer: 'thrice', bytes: 700 }),
      logLine({ customer: 'thrice', bytes: 300 }),
    ]);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const repeats = instrumented();
    const handler = handlerWith(repeats.client);
    await Promise.all([handler(logCreatedEvent(LOGS, key)), handler(logCreatedEvent(LOGS, key))]);
    expect(await store.getTotals(customer('thrice'), period('2026-11'))).toEqual(
      downloads(1000, 2),
    );
    expect(await store.getTotals(customer('thrice'), period('2026-11-22'))).toEqual(
      downloads(1000, 2),
    );
    // Each repeat only finds the summary: no customer listing, no writes.
    expect(repeats.sent).toEqual(['GetCommand', 'GetCommand']);
  });

  it('is exact after a crash after chunk k and a retry', async () => {
    // 150 customers: 5 totals chunks, each with 150 links' usage in 2 link chunks.
    const ids = Array.from({ length: 150 }, (_, i) => `crash-${String(i).padStart(3, '0')}`);
    await seedCustomers(table, ids);
    await seedLinks(
      table,
      ids.map((customerId, i) => ({ linkId: `L${i}`, customerId })),
    );
    const lines = ids.map((id, i) => logLine({ customer: id, link: `L${i}`, bytes: i + 1 }));
    const key = await putLog(lines);
    await expect(handlerWith(instrumented(2).client)(logCreatedEvent(LOGS, key))).rejects.toThrow(
      'Lambda timed out',
    );
    expect(await store.findSummary(`${LOGS}/${key}`)).toBeUndefined();
    const partial = await store.listTotals(period('2026-11-22'));
    expect(partial.filter((t) => t.customerId.startsWith('crash-')).length).toBeGreaterThan(0);
    expect(partial.filter((t) => t.customerId.startsWith('crash-')).length).toBeLessThan(150);

    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const summary = (await store.findSummary(`${LOGS}/${key}`)) as LogSummary;
    expect(summary).toMatchObject({ lines: 150, records: 150, customers: 150, links: 150 });
    expect(summary.chunksSkipped).toBe(2);
    expect(summary.chunksApplied).toBe(summary.chunks - 2);
    const totals = (await store.listTotals(period('2026-11'))).filter((t) =>
      t.customerId.startsWith('crash-'),
    );
    expect(totals).toHaveLength(150);
    for (const t of totals) {
      const i = Number(t.customerId.slice(6));
      expect(t.downloadBytes).toBe(i + 1);
      expect(t.downloadRequests).toBe(1);
    }
  });

  it('is exact after a crash and a retry when its rows spill to disk again and again', async () => {
    // 120 customers over 2 days with a link each, 5 rows in memory: both tables spill about
    // 50 times, and the plan read back from disk must be the same on the retry.
    const ids = Array.from({ length: 120 }, (_, i) => `spill-${String(i).padStart(3, '0')}`);
    await seedCustomers(table, ids);
    await seedLinks(
      table,
      ids.map((customerId, i) => ({ linkId: `Lspill${i}`, customerId })),
    );
    const lines = ids.flatMap((id, i) =>
      ['2026-11-22T10:00:00Z', '2026-11-23T10:00:00Z'].map((time, day) =>
        logLine({ customer: id, link: `Lspill${i}`, bytes: 10 * i + day + 1, time }),
      ),
    );
    const key = await putLog(lines);
    const rules = lazyAttributionRules(
      new DynamoDbCustomerStore(table.documents, table.tableName),
      [SIGNER_ROLE],
    );
    const meter = (documents: DynamoDBDocumentClient) =>
      meterLogObject({
        store: new DynamoDbUsageStore(documents, table.tableName),
        logObject: `${LOGS}/${key}`,
        open: () => createS3LogObjectOpener(s3)(LOGS, key),
        loadRules: rules,
        now: () => new Date(),
        maxRowsInMemory: 5,
      });
    await expect(meter(instrumented(3).client)).rejects.toThrow('Lambda timed out');
    const { summary } = await meter(table.documents);
    expect(summary).toMatchObject({ records: 240, customers: 120, links: 120, chunksSkipped: 3 });
    const totals = (await store.listTotals(period('2026-11'))).filter((t) =>
      t.customerId.startsWith('spill-'),
    );
    expect(totals).toHaveLength(120);
    for (const t of totals) {
      const i = Number(t.customerId.slice(6));
      expect([t.customerId, t.downloadBytes, t.downloadRequests]).toEqual([
        t.customerId,
        20 * i + 3,
        2,
      ]);
    }
    const { Item } = await table.documents.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: 'LINK#Lspill7', SK: 'LINK' } }),
    );
    expect(Item).toMatchObject({
      downloadBytes: 20 * 7 + 3,
      downloadRequests: 2,
      firstAccess: '2026-11-22T10:00:00Z',
      lastAccess: '2026-11-23T10:00:00Z',
    });
  });

  it('is exact when 20 log objects of one customer are metered at once', async () => {
    await seedCustomers(table, ['hot']);
    await seedLinks(table, [{ linkId: 'Lhot', customerId: 'hot' }]);
    const keys = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        putLog(
          Array.from({ length: 10 }, () =>
            logLine({ customer: 'hot', link: 'Lhot', bytes: i + 1 }),
          ),
        ),
      ),
    );
    const handler = handlerWith(table.documents);
    await Promise.all(keys.map((key) => handler(logCreatedEvent(LOGS, key))));
    // 10 lines of i + 1 bytes for i = 0..19: 10 × (1 + … + 20) = 2100.
    expect(await store.getTotals(customer('hot'), period('2026-11'))).toEqual(downloads(2100, 200));
    expect(await store.sumContributions(customer('hot'), period('2026-11'))).toEqual(
      downloads(2100, 200),
    );
  });

  it('is exact for one log object of 5,000 customers', async () => {
    await seedCustomers(
      table,
      Array.from({ length: 5000 }, (_, i) => `many-${i}`),
    );
    const lines = Array.from({ length: 5000 }, (_, i) =>
      logLine({ customer: `many-${i}`, bytes: 1 + (i % 7), time: '2026-10-05T01:02:03Z' }),
    );
    const key = await putLog(lines);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const totals = (await store.listTotals(period('2026-10'))).filter((t) =>
      t.customerId.startsWith('many-'),
    );
    expect(totals).toHaveLength(5000);
    let expectedBytes = 0;
    for (let i = 0; i < 5000; i++) expectedBytes += 1 + (i % 7);
    expect(totals.reduce((sum, t) => sum + t.downloadBytes, 0)).toBe(expectedBytes);
    const summary = (await store.findSummary(`${LOGS}/${key}`)) as LogSummary;
    expect(summary.chunks).toBeGreaterThan(100);
    expect(summary.chunksApplied).toBe(summary.chunks);
  }, 120_000);

  it('puts a log delivered late into the month of its requests', async () => {
    await seedCustomers(table, ['late']);
    const key = await putLog(
      [logLine({ customer: 'late', bytes: 42, time: '2026-10-31T23:59:59Z' })],
      '2026-11-01-03-00-00',
    );
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    expect(await store.getTotals(customer('late'), period('2026-10'))).toEqual(downloads(42, 1));
    expect(await store.getTotals(customer('late'), period('2026-10-31'))).toEqual(downloads(42, 1));
    expect(await store.getTotals(customer('late'), period('2026-11'))).toBeUndefined();
  });

  it('accounts for every request: attributed plus untracked, per link too', async () => {
    await seedCustomers(table, ['whole']);
    await seedLinks(table, [
      { linkId: 'Lw1', customerId: 'whole' },
      { linkId: 'Lw2', customerId: 'whole' },
    ]);
    const requests: Request[] = [
      { customer: 'whole', link: 'Lw1', bytes: 100, time: '2026-09-01T00:00:00Z' },
      { customer: 'whole', link: 'Lw1', bytes: 50, time: '2026-09-02T12:00:00Z' },
      { customer: 'whole', link: 'Lw2', status: 403, bytes: 243, time: '2026-09-02T13:00:00Z' },
      { customer: null, bytes: 999, time: '2026-09-02T14:00:00Z' },
      { customer: 'bad id!', bytes: 7, time: '2026-09-03T00:00:00Z' },
    ];
    const key = await putLog(requests.map(logLine));
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const september = period('2026-09');
    const whole = await store.getTotals(customer('whole'), september);
    expect(whole).toEqual({ ...downloads(150, 2), errorRequests: 1 });
    expect(await store.listUntrackedTotals(september)).toEqual(
      new Map([['no-customer', downloads(999 + 7, 2)]]),
    );
    expect(await store.sumContributions(customer('whole'), september)).toEqual(whole);
    const link = await table.documents.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { PK: 'LINK#Lw1', SK: 'LINK' },
      }),
    );
    expect(link.Item).toMatchObject({
      customerId: 'whole',
      downloadBytes: 150,
      downloadRequests: 2,
      firstAccess: '2026-09-01T00:00:00Z',
      lastAccess: '2026-09-02T12:00:00Z',
    });
    const other = await table.documents.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: 'LINK#Lw2', SK: 'LINK' } }),
    );
    // The customer's links together hold exactly its totals.
    const linkSum = { ...emptyCounters() };
    for (const item of [link.Item, other.Item]) {
      for (const name of COUNTER_NAMES) linkSum[name] += Number(item?.[name] ?? 0);
    }
    expect(linkSum).toEqual(whole);
  });

  it('counts and samples malformed lines without failing, with no signature in the samples', async () => {
    await seedCustomers(table, ['mixed']);
    const signature = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const key = await putLog([
      logLine({ customer: 'mixed', bytes: 5 }),
      'this is not a log line',
      logLine({ customer: 'mixed', bytes: 5 }).slice(0, 200),
      `x "GET /a?X-Amz-Signature=${signature} HTTP/1.1`,
    ]);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const summary = (await store.findSummary(`${LOGS}/${key}`)) as LogSummary;
    expect(summary).toMatchObject({ lines: 4, records: 1, rejected: 3 });
    expect(summary.samples.map((s) => s.line)).toEqual([2, 3, 4]);
    expect(JSON.stringify(summary.samples)).not.toContain(signature.slice(0, 32));
    expect(await store.getTotals(customer('mixed'), period('2026-11'))).toEqual(downloads(5, 1));
  });

  it('applies only what is missing when a retry chunks the same contributions differently', async () => {
    const contribution = (customerId: string, bytes: number) => ({
      account: customer(customerId),
      day: '2026-08-01',
      counters: downloads(bytes, 1),
    });
    const object = 'logs-bucket/logs/rechunked';
    expect(
      await store.applyChunk(
        object,
        {
          kind: 'totals',
          index: 0,
          contributions: [contribution('re-a', 1), contribution('re-b', 2)],
        },
        new Date(),
      ),
    ).toBe('applied');
    expect(
      await store.applyChunk(
        object,
        {
          kind: 'totals',
          index: 0,
          contributions: [
            contribution('re-a', 1),
            contribution('re-b', 2),
            contribution('re-c', 3),
          ],
        },
        new Date(),
      ),
    ).toBe('applied');
    expect(
      await store.applyChunk(
        object,
        {
          kind: 'totals',
          index: 0,
          contributions: [contribution('re-c', 3)],
        },
        new Date(),
      ),
    ).toBe('skipped');
    for (const [id, bytes] of [
      ['re-a', 1],
      ['re-b', 2],
      ['re-c', 3],
    ] as const) {
      expect(await store.getTotals(customer(id), period('2026-08'))).toEqual(downloads(bytes, 1));
    }
  });

  it('moves a link’s first and last access outwards whatever order its logs arrive in', async () => {
    await seedCustomers(table, ['o']);
    await seedLinks(table, [{ linkId: 'Lorder', customerId: 'o' }]);
    const middle = await putLog([
      logLine({ customer: 'o', link: 'Lorder', time: '2026-07-10T00:00:00Z' }),
    ]);
    const late = await putLog([
      logLine({ customer: 'o', link: 'Lorder', time: '2026-07-20T00:00:00Z' }),
    ]);
    const early = await putLog([
      logLine({ customer: 'o', link: 'Lorder', time: '2026-07-01T00:00:00Z' }),
    ]);
    const handler = handlerWith(table.documents);
    for (const key of [middle, late, early]) await handler(logCreatedEvent(LOGS, key));
    const { Item } = await table.documents.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: 'LINK#Lorder', SK: 'LINK' } }),
    );
    expect(Item).toMatchObject({
      downloadRequests: 3,
      firstAccess: '2026-07-01T00:00:00Z',
      lastAccess: '2026-07-20T00:00:00Z',
    });
  });

  it('adds every use of a link and its outermost times when its log objects are metered at once', async () => {
    await seedCustomers(table, ['c']);
    await seedLinks(table, [{ linkId: 'Lconcurrent', customerId: 'c' }]);
    const days = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
    const keys = [];
    for (const day of days) {
      const time = `2026-06-${String(day).padStart(2, '0')}T00:00:00Z`;
      keys.push(await putLog([logLine({ customer: 'c', link: 'Lconcurrent', bytes: day, time })]));
    }
    const handler = handlerWith(table.documents);
    await Promise.all(keys.map((key) => handler(logCreatedEvent(LOGS, key))));
    const { Item } = await table.documents.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: 'LINK#Lconcurrent', SK: 'LINK' } }),
    );
    expect(Item).toMatchObject({
      downloadRequests: 10,
      downloadBytes: 55,
      firstAccess: '2026-06-01T00:00:00Z',
      lastAccess: '2026-06-10T00:00:00Z',
    });
  });

  it.each([
    ['outside the log prefix', 'other/2026-11-22-10-20-00-0123456789ABCDEF'],
    ['not named as S3 names log objects', 'logs/forged.log'],
    ['with a name that only starts like a log key', 'logs/2026-11-22-10-20-00-X/../y'],
  ])('ignores, and reports, an object %s', async (_, key) => {
    await seedCustomers(table, [`outside-${objects}`]);
    const id = `outside-${objects++}`;
    await s3.send(
      new PutObjectCommand({ Bucket: LOGS, Key: key, Body: logLine({ customer: id }) }),
    );
    const warnings: unknown[] = [];
    const logger = new Logger({ logLevel: 'SILENT' });
    logger.warn = (...args: unknown[]) => void warnings.push(args);
    await handlerWith(table.documents, logger)(logCreatedEvent(LOGS, key));
    expect(await store.findSummary(`${LOGS}/${key}`)).toBeUndefined();
    expect(await store.getTotals(customer(id), period('2026-11'))).toBeUndefined();
    expect(warnings).toEqual([['ignored: not a server access log key', { bucket: LOGS, key }]]);
  });
});

describe('no line, object or replay corrupts a total', () => {
  it('meters the valid lines of an object exactly beside every poison line, which are rejected', async () => {
    await seedCustomers(table, ['poisoned']);
    const good = logLine({ customer: 'poisoned', bytes: 777 });
    const poison = [
      good.replace(' 200 - 777 ', ' 200 - 9007199254740992 '),
      good.replace(' 200 - 777 ', ` 200 - ${'9'.repeat(401)} `),
      good.replace(' 200 - 777 ', ' 200 - Infinity '),
      good.replace(' 200 - 777 ', ' 200 - -5 '),
      good.replace(' 200 - 777 ', ' 200 - 1.5 '),
      good.replace(/\[[^\]]+\]/, '[32/Oct/2026:10:00:00 +0000]'),
      good.replace(/\[[^\]]+\]/, '[22/Nov/2026:25:61:61 +0000]'),
      good.replace(/\[[^\]]+\]/, '[29/Feb/2026:10:00:00 +0000]'),
      good.replace(/\[[^\]]+\]/, '[22/Nov/2026:10:00:00 +9999]'),
    ];
    const key = await putLog([good, ...poison, logLine({ customer: 'poisoned', bytes: 777 })]);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    const summary = (await store.findSummary(`${LOGS}/${key}`)) as LogSummary;
    expect(summary).toMatchObject({ lines: 11, records: 2, rejected: 9 });
    expect(await store.getTotals(customer('poisoned'), period('2026-11'))).toEqual(
      downloads(1554, 2),
    );
  });

  it('meters a customer-day beyond 2^53 bytes exactly, without failing the object', async () => {
    await seedCustomers(table, ['petabytes']);
    await seedLinks(table, [{ linkId: 'Lpeta', customerId: 'petabytes' }]);
    const most = 5 * 1024 ** 4;
    const lines = Array.from({ length: 2500 }, () =>
      logLine({ customer: 'petabytes', link: 'Lpeta', bytes: most }),
    );
    const key = await putLog(lines);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    expect(await store.findSummary(`${LOGS}/${key}`)).toMatchObject({ records: 2500 });
    // DynamoDB adds exactly at any size; the SDK reads an integer beyond 2^53 as a BigInt.
    const exact = 2500n * BigInt(most);
    const read = async (pk: string, sk: string) =>
      (
        await table.documents.send(
          new GetCommand({ TableName: table.tableName, Key: { PK: pk, SK: sk } }),
        )
      ).Item?.downloadBytes as unknown;
    expect(await read('CUSTOMER#petabytes', 'USAGE#D#2026-11-22')).toBe(exact);
    expect(await read('CUSTOMER#petabytes', 'USAGE#M#2026-11')).toBe(exact);
    expect(await read('LINK#Lpeta', 'LINK')).toBe(exact);
  });

  it('counts a request repeated within an object once, and two requests with one id twice', async () => {
    await seedCustomers(table, ['repeated']);
    const line = logLine({ customer: 'repeated', bytes: 100, requestId: 'SAMEID' });
    const sameIdOtherRequest = logLine({ customer: 'repeated', bytes: 5, requestId: 'SAMEID' });
    const key = await putLog([line, line, sameIdOtherRequest, line]);
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    expect(await store.findSummary(`${LOGS}/${key}`)).toMatchObject({
      lines: 4,
      records: 2,
      duplicateRecords: 2,
    });
    expect(await store.getTotals(customer('repeated'), period('2026-11'))).toEqual(
      downloads(105, 2),
    );
  });

  it('bills the same content under another key once, and records the copy as a duplicate', async () => {
    await seedCustomers(table, ['copied']);
    const lines = [logLine({ customer: 'copied', bytes: 4000 })];
    const original = await putLog(lines);
    const copy = await putLog(lines, '2026-11-22-11-00-00');
    const handler = handlerWith(table.documents);
    await handler(logCreatedEvent(LOGS, original));
    await handler(logCreatedEvent(LOGS, copy));
    expect(await store.getTotals(customer('copied'), period('2026-11'))).toEqual(
      downloads(4000, 1),
    );
    const copied = await store.findSummary(`${LOGS}/${copy}`);
    expect(copied).toMatchObject({ duplicateOf: `${LOGS}/${original}`, records: 1, chunks: 0 });
    expect(copied?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(copied?.digest).toBe((await store.findSummary(`${LOGS}/${original}`))?.digest);
  });

  it('reads a gzip log object by its magic bytes, whatever its name', async () => {
    await seedCustomers(table, ['zipped']);
    const key = `logs/2026-11-22-12-00-00-${String(++objects).padStart(16, '0')}`;
    const body = gzipSync(
      `${[100, 200, 300].map((b) => logLine({ customer: 'zipped', bytes: b })).join('\n')}\n`,
    );
    await s3.send(new PutObjectCommand({ Bucket: LOGS, Key: key, Body: body }));
    await handlerWith(table.documents)(logCreatedEvent(LOGS, key));
    expect(await store.getTotals(customer('zipped'), period('2026-11'))).toEqual(downloads(600, 3));
  });

  it('reports an object none of whose lines is a record at error level', async () => {
    const key = await putLog(['not a log line', 'nor this one']);
    const errors: unknown[] = [];
    const logger = new Logger({ logLevel: 'SILENT' });
    logger.error = (...args: unknown[]) => void errors.push(args[0]);
    await handlerWith(table.documents, logger)(logCreatedEvent(LOGS, key));
    expect(errors).toEqual(['every line of the log object was rejected']);
  });

  it('reports an object rewritten under a key already metered, and meters nothing again', async () => {
    await seedCustomers(table, ['rewritten']);
    const key = await putLog([logLine({ customer: 'rewritten', bytes: 10 })]);
    const handler = (etag: string, logger = silent) =>
      handlerWith(
        table.documents,
        logger,
      )({
        Records: logCreatedEvent(LOGS, key).Records.map((r) => ({
          ...r,
          s3: { ...r.s3, object: { ...r.s3.object, eTag: etag } },
        })),
      });
    await handler('etag-one');
    const warnings: unknown[] = [];
    const logger = new Logger({ logLevel: 'SILENT' });
    logger.warn = (...args: unknown[]) => void warnings.push(args[0]);
    await handler('etag-two', logger);
    expect(warnings).toEqual(['content changed under a metered key']);
    expect(await store.findSummary(`${LOGS}/${key}`)).toMatchObject({ etag: 'etag-one' });
    expect(await store.getTotals(customer('rewritten'), period('2026-11'))).toEqual(
      downloads(10, 1),
    );
  });

  it('emits one EMF line per invocation: lines, records, rejected, repeats, bytes and lag', async () => {
    await seedCustomers(table, ['emf']);
    const repeated = logLine({ customer: 'emf', bytes: 300, time: '2026-11-22T10:30:00Z' });
    const lines = [
      logLine({ customer: 'emf', bytes: 700, time: '2026-11-22T10:15:30Z' }),
      repeated,
      repeated,
      logLine({ customer: null, bytes: 5000, time: '2026-11-22T10:00:00Z' }),
      'not a log line',
    ];
    const key = await putLog(lines);
    const copy = await putLog(lines, '2026-11-22-11-30-00');
    const deliveredAt = (event: ReturnType<typeof logCreatedEvent>) => ({
      Records: event.Records.map((r) => ({ ...r, eventTime: '2026-11-22T11:00:00.000Z' })),
    });
    const metrics = new Metrics({ namespace: 'usage-meter-test', serviceName: 'meter-logs' });
    const handler = handlerWith(table.documents, silent, metrics);

    const [first, ...others] = await emfLinesOf(async () => {
      await handler(deliveredAt(logCreatedEvent(LOGS, key)));
      await handler(deliveredAt(logCreatedEvent(LOGS, key))); // already metered: no metrics
      await handler(deliveredAt(logCreatedEvent(LOGS, copy)));
    });
    expect(first).toMatchObject({
      service: 'meter-logs',
      LogObjects: 1,
      LogLines: 5,
      Records: 3,
      RejectedLines: 1,
      DuplicateLines: 1,
      AttributedBytes: 1000,
      UntrackedBytes: 5000,
      DeliveryLag: 3600,
    });
    const [definition] = (first?._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics;
    expect(definition).toMatchObject({
      Namespace: 'usage-meter-test',
      Dimensions: [['service']],
      Metrics: expect.arrayContaining([
        { Name: 'AttributedBytes', Unit: 'Bytes' },
        { Name: 'DeliveryLag', Unit: 'Seconds' },
      ]) as unknown,
    });
    // The copy adds nothing and says so; the repeat published nothing at all.
    expect(others).toHaveLength(1);
    expect(others[0]).toMatchObject({ DuplicateLogObjects: 1 });
    expect(others[0]).not.toHaveProperty('Records');
    expect(await store.getTotals(customer('emf'), period('2026-11-22'))).toEqual(
      downloads(1000, 2),
    );
  });
});
