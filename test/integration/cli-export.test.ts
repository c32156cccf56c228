import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createExportCloudEventsHandler } from '../../functions/export-cloudevents/export-cloudevents.ts';
import {
  cloudEventsSource,
  type ContributionEvent,
  contributionEvent,
  exportCloudEvents,
} from '../../shared/billing/cloudevents-export.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { addDays } from '../../shared/usage/period.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { cliOn } from '../helpers/cli.ts';
import { FakeStripe } from '../helpers/fake-stripe.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { logLine } from '../helpers/log-objects.ts';
import { customer, testRules } from '../helpers/rules.ts';
import { createTestTable } from '../helpers/table.ts';

const KEY = 'sk_test_cliExportSecret123';
// Every request on one recent day (within Stripe's 35), so that its month holds them all.
const DAY = addDays(new Date().toISOString().slice(0, 10), -1);
const MONTH = DAY.slice(0, 7);
const schema = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../fixtures/cloudevents/cloudevents-1.0.schema.json'),
    'utf8',
  ),
) as object;

let table: Awaited<ReturnType<typeof createTestTable>>;
let usage: DynamoDbUsageStore;
let s3: S3Client;
let fake: FakeStripe;
let cli: ReturnType<typeof cliOn>;
let folder: string;
const saved = { key: process.env.STRIPE_API_KEY, base: process.env.STRIPE_API_BASE };

beforeAll(async () => {
  table = await createTestTable();
  usage = new DynamoDbUsageStore(table.documents, table.tableName);
  s3 = s3ClientFor(sharedStack());
  cli = cliOn(table.tableName);
  folder = mkdtempSync(join(tmpdir(), 'usage-meter-export-'));
  const customers = new DynamoDbCustomerStore(table.documents, table.tableName);
  await customers.createCustomer(
    validateNewCustomer({ customerId: 'acme', stripeCustomerId: 'cus_Acme' }),
    new Date(),
  );
  await customers.createCustomer(validateNewCustomer({ customerId: 'globex' }), new Date());
  // Two log objects of downloads: three contributions (acme twice, globex once).
  for (const [name, lines] of Object.entries({
    first: [
      logLine({ customer: 'acme', bytes: 1200, time: `${DAY}T08:00:00Z` }),
      logLine({ customer: 'globex', bytes: 30, time: `${DAY}T09:00:00Z` }),
    ],
    second: [
      // Signed without a customer: untracked, so in no export.
      logLine({ customer: null, bytes: 5000, time: `${DAY}T09:30:00Z` }),
      logLine({ customer: 'acme', bytes: 34, time: `${DAY}T10:00:00Z` }),
      logLine({ customer: 'acme', bytes: 66, time: `${DAY}T23:00:00Z` }),
    ],
  })) {
    await meterLogObject({
      store: usage,
      logObject: `logs-bucket/logs/${name}`,
      open: () => Promise.resolve(lines.map((line) => `${line}\n`)),
      loadRules: () => Promise.resolve(testRules([customer('acme'), customer('globex')])),
      now: () => new Date(),
    });
  }
  fake = await FakeStripe.start();
  process.env.STRIPE_API_KEY = KEY;
  process.env.STRIPE_API_BASE = fake.url;
});

afterAll(async () => {
  for (const [name, value] of [
    ['STRIPE_API_KEY', saved.key],
    ['STRIPE_API_BASE', saved.base],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await fake?.stop();
  rmSync(folder, { recursive: true, force: true });
  table?.destroy();
});

describe('usage-meter export', () => {
  it('sends the daily totals to Stripe once, and names who could not be sent', async () => {
    const first = await cli('export', 'stripe', '--create-meters');
    expect(first).toEqual({
      code: 0,
      out:
        'sent 1, already delivered 0, unchanged 0, too old 0, failed 0\n' +
        'not sent, no Stripe customer: globex (customers update <id> --stripe-customer cus_…)\n',
      err: 'meters created: s3_download_bytes, s3_upload_bytes\n',
    });
    expect(Object.fromEntries(fake.dailyValues('s3_download_bytes', 'cus_Acme'))).toEqual({
      [DAY]: 1300,
    });
    const again = await cli('export', 'stripe', '--json');
    expect(JSON.parse(again.out)).toMatchObject({ sent: 0, unchanged: 1 });
    expect(`${first.out}${first.err}${again.out}${again.err}`).not.toContain(KEY);
  });

  it('refuses to run without a key, naming the variable', async () => {
    delete process.env.STRIPE_API_KEY;
    try {
      const answer = await cli('export', 'stripe');
      expect(answer.code).toBe(2);
      expect(answer.err).toContain('set STRIPE_API_KEY to the Stripe secret key');
    } finally {
      process.env.STRIPE_API_KEY = KEY;
    }
    expect((await cli('export', 'paypal')).err).toContain(
      "export where? stripe, cloudevents or files (got 'paypal')",
    );
  });

  it('writes the period as files that agree with report and with what Stripe was sent', async () => {
    const written = await cli('export', 'files', '--period', MONTH, '--to', folder);
    expect(written.code).toBe(0);
    const read = (name: string) => readFileSync(join(folder, name), 'utf8');
    const rows = read(`usage-${MONTH}.jsonl`)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const report = JSON.parse((await cli('report', '--period', MONTH, '--format', 'json')).out) as {
      customers: Array<Record<string, unknown>>;
      status: string;
    };
    expect(
      rows.map(({ period: _p, status: _s, settlesAt: _a, stripeCustomerId: _c, ...row }) => row),
    ).toEqual(report.customers);
    expect(rows.map((row) => [row.customerId, row.stripeCustomerId, row.status])).toEqual([
      ['acme', 'cus_Acme', report.status],
      ['globex', null, report.status],
    ]);
    expect(read(`usage-${MONTH}.csv`).split('\n')[0]).toBe(
      'period,status,settlesAt,customerId,stripeCustomerId,downloadBytes,downloadRequests,uploadBytes,uploadRequests,errorRequests,otherRequests',
    );
    // The connector file carries the very events the API export sent, identifiers included.
    const events = read(`stripe-meter-events-${MONTH}.jsonl`)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { identifier: string; payload: { value: number } });
    const sent = fake.events.filter(
      (e) => e.timestamp >= Date.parse(`${MONTH}-01T00:00:00Z`) / 1000,
    );
    expect(events.map((e) => [e.identifier, String(e.payload.value)]).sort()).toEqual(
      sent.map((e) => [e.identifier, e.payload.value]).sort(),
    );

    const toS3 = await cli(
      'export',
      'files',
      '--period',
      MONTH,
      '--to',
      's3://shared-test-bucket/billing',
    );
    expect(toS3.out).toContain(`s3://shared-test-bucket/billing/usage-${MONTH}.csv`);
    const object = await s3.send(
      new GetObjectCommand({ Bucket: 'shared-test-bucket', Key: `billing/usage-${MONTH}.csv` }),
    );
    expect(await object.Body?.transformToString()).toBe(read(`usage-${MONTH}.csv`));
  });

  it('writes one valid CloudEvent per contribution, once, and the same events again on --all', async () => {
    const file = join(folder, 'events.jsonl');
    const first = await cli('export', 'cloudevents', '--period', MONTH, '--to', file);
    expect(first.out).toBe('delivered 3 events of 2 customers (already exported 0)\n');
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ContributionEvent);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const valid = ajv.compile(schema);
    for (const event of events) expect(valid(event), JSON.stringify(valid.errors)).toBe(true);
    expect(valid({ ...events[0], specversion: undefined })).toBe(false);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    const bytes = (subject: string) =>
      events.filter((e) => e.subject === subject).reduce((sum, e) => sum + e.data.downloadBytes, 0);
    expect([bytes('acme'), bytes('globex')]).toEqual([1300, 30]);

    expect((await cli('export', 'cloudevents', '--period', MONTH, '--to', file)).out).toBe(
      'delivered 0 events of 2 customers (already exported 3)\n',
    );
    await cli('export', 'cloudevents', '--period', MONTH, '--to', file, '--all');
    const all = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ContributionEvent);
    expect(
      all
        .slice(3)
        .map((e) => e.id)
        .sort(),
    ).toEqual(events.map((e) => e.id).sort());
  });

  it('loses nothing and doubles nothing at a receiver when a batch fails or the run dies after it', async () => {
    // A receiver that drops repeated ids, as sum-of-events platforms do, and fails its first call.
    const received = new Map<string, ContributionEvent>();
    let calls = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (++calls === 1) {
          res.writeHead(503).end();
          return;
        }
        for (const event of JSON.parse(Buffer.concat(chunks).toString()) as ContributionEvent[]) {
          received.set(event.id, event);
        }
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events`;
    const exportAll = () =>
      cli('export', 'cloudevents', '--period', MONTH, '--endpoint', endpoint, '--all');
    try {
      const failed = await exportAll();
      expect(failed.code).toBe(1);
      expect(failed.err).toContain('answered 503: the batch is sent again');

      // Delivered, then killed before any mark: the next run sends the same events again.
      const dying = new DynamoDbUsageStore(table.documents, table.tableName);
      dying.markContributionExported = () => Promise.reject(new Error('killed before the mark'));
      const post = async (batch: ContributionEvent[]) => {
        const response = await fetch(endpoint, { method: 'POST', body: JSON.stringify(batch) });
        expect(response.status).toBe(202);
      };
      await expect(
        exportCloudEvents({
          usage: dying,
          period: { kind: 'month', value: MONTH },
          source: `s3-usage-meter/${table.tableName}`,
          deliver: post,
          now: () => new Date(),
          all: true,
        }),
      ).rejects.toThrow('killed before the mark');
      const resent = await exportAll();
      expect(resent.out).toBe('delivered 3 events of 2 customers (already exported 0)\n');
      const bytes = [...received.values()].reduce((sum, e) => sum + e.data.downloadBytes, 0);
      expect([received.size, bytes]).toEqual([3, 1330]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('sends the stream of new contributions as the same events, and nothing else of the table', async () => {
    const items = async (pk: string) =>
      (
        await table.dynamodb.send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: pk } },
          }),
        )
      ).Items ?? [];
    const record = (eventName: 'INSERT' | 'MODIFY', image: Record<string, unknown>) => ({
      eventName,
      dynamodb: { NewImage: image },
    });
    const acme = await items('CUSTOMER#acme');
    const contributions = acme.filter((item) => item.type?.S === 'contribution');
    const others = [
      ...acme.filter((item) => item.type?.S !== 'contribution'), // totals, profile
      ...(await items('UNTRACKED#no-customer')),
    ];
    expect([contributions.length, others.length > 2]).toEqual([2, true]);
    const event = {
      Records: [
        ...contributions.map((image) => record('INSERT', image)),
        ...contributions.map((image) => record('MODIFY', image)), // an export mark
        ...others.map((image) => record('INSERT', image)),
      ],
    } as unknown as DynamoDBStreamEvent;

    const delivered: ContributionEvent[] = [];
    const source = cloudEventsSource(table.tableName);
    const handler = createExportCloudEventsHandler({
      deliver: (batch) => {
        delivered.push(...batch);
        return Promise.resolve();
      },
      source,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    await handler(event);
    const expected = (await usage.listContributions('acme', { kind: 'month', value: MONTH })).map(
      (c) => contributionEvent(c, source),
    );
    expect(delivered.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(delivered.map((e) => e.data.downloadBytes).sort()).toEqual([100, 1200]);

    const failing = createExportCloudEventsHandler({
      deliver: () => Promise.reject(new Error('endpoint down')),
      source,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    await expect(failing(event)).rejects.toThrow('endpoint down');
  });
});
