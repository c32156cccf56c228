import type { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import Stripe from 'stripe';
import { createExportUsageHandler } from '../../functions/export-usage/export-usage.ts';
import { createExportUsageDeps } from '../../functions/export-usage/export-usage-deps.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { DynamoDbExportOutbox, type OutboxEntry } from '../../shared/billing/export-outbox.ts';
import { exportToStripe, ExportRefusedError } from '../../shared/billing/stripe-export.ts';
import { createStripeMeters, meterProblems } from '../../shared/billing/stripe-meters.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { readPeriodUsage } from '../../shared/usage/period-usage.ts';
import { FakeStripe } from '../helpers/fake-stripe.ts';
import { logLine } from '../helpers/log-objects.ts';
import { makeRecord, presignedUri } from '../helpers/records.ts';
import { customer, testRules } from '../helpers/rules.ts';
import { createTestTable } from '../helpers/table.ts';

const DOWNLOADS = 's3_download_bytes';
const UPLOADS = 's3_upload_bytes';
const BILLING_IDS = { acme: 'cus_Acme1', globex: 'cus_Globex1' };
const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'];

let table: Awaited<ReturnType<typeof createTestTable>>;
let usage: DynamoDbUsageStore;
let customers: DynamoDbCustomerStore;
let outbox: DynamoDbExportOutbox;
let fake: FakeStripe;
let stripe: Stripe;
/** The one clock of the test: the metering's, the export's and Stripe's. */
let clock = new Date('2026-11-25T12:00:00Z');
let logObjects = 0;

beforeAll(async () => {
  table = await createTestTable();
  usage = new DynamoDbUsageStore(table.documents, table.tableName);
  customers = new DynamoDbCustomerStore(table.documents, table.tableName);
  outbox = new DynamoDbExportOutbox(table.documents, table.tableName, 'stripe');
  for (const [customerId, stripeCustomerId] of Object.entries(BILLING_IDS)) {
    await customers.createCustomer(validateNewCustomer({ customerId, stripeCustomerId }), clock);
  }
  await customers.createCustomer(validateNewCustomer({ customerId: 'initech' }), clock);
  fake = await FakeStripe.start({ now: () => clock });
  stripe = new Stripe('sk_test_fake', fake.sdkOptions);
});

afterAll(async () => {
  await fake?.stop();
  table?.destroy();
});

/** Meters one log object of downloads (and uploads) at the test's clock. */
async function meter(
  requests: Array<{ customer: string; bytes: number; time: string; upload?: true }>,
) {
  const lines = requests.map(({ customer: id, bytes, time, upload }) =>
    upload
      ? formatAccessLogRecord(
          makeRecord({
            time,
            requestId: `UPLOAD${++logObjects}`,
            operation: 'REST.PUT.OBJECT',
            objectSize: bytes,
            bytesSent: null,
            requestUri: presignedUri('PUT', `/content/uploads/${id}/f.bin`, id),
          }),
        )
      : logLine({ customer: id, bytes, time }),
  );
  await meterLogObject({
    store: usage,
    logObject: `logs-bucket/logs/export-${++logObjects}`,
    open: () => Promise.resolve(lines.map((line) => `${line}\n`)),
    loadRules: () =>
      Promise.resolve(testRules([customer('acme'), customer('globex'), customer('initech')])),
    now: () => clock,
  });
}

const exportNow = (days: readonly string[] = DAYS, using = outbox) =>
  exportToStripe({
    usage,
    customers,
    outbox: using,
    stripe: stripe.billing,
    days,
    now: () => clock,
    settleWindowHours: 48,
  });

const daily = (eventName: string, customerId: keyof typeof BILLING_IDS) =>
  Object.fromEntries(fake.dailyValues(eventName, BILLING_IDS[customerId]));

/** An outbox that dies once right after Stripe answered, before the acknowledgement. */
class CrashingOutbox extends DynamoDbExportOutbox {
  crashes = 1;
  override async acknowledge(entry: OutboxEntry, at: Date): Promise<void> {
    if (this.crashes-- > 0) throw new Error('killed between the send and the mark');
    await super.acknowledge(entry, at);
  }
}

describe('usage-meter export stripe', () => {
  it('refuses to send before its meters exist, and creates them once', async () => {
    await expect(exportNow()).rejects.toThrow(ExportRefusedError);
    await expect(exportNow()).rejects.toThrow(
      'no active meter for event_name s3_download_bytes (--create-meters creates it)',
    );
    expect(await createStripeMeters(stripe.billing.meters)).toEqual([DOWNLOADS, UPLOADS]);
    expect(await createStripeMeters(stripe.billing.meters)).toEqual([]);
    expect(
      fake.meters.map((m) => [m.event_name, m.event_time_window, m.default_aggregation]),
    ).toEqual([
      [DOWNLOADS, 'day', { formula: 'sum' }],
      [UPLOADS, 'day', { formula: 'sum' }],
    ]);
    expect(fake.meterEventCalls).toBe(0);
  });

  it('refuses a meter that would add every total it is sent', async () => {
    const other = await FakeStripe.start();
    try {
      const client = new Stripe('sk_test_other', other.sdkOptions);
      await client.billing.meters.create({
        display_name: 'raw',
        event_name: DOWNLOADS,
        default_aggregation: { formula: 'sum' },
      });
      expect(await meterProblems(client.billing.meters)).toEqual([
        'meter s3_download_bytes must keep the latest event of each day and sum the days (event_time_window day, formula sum); it has no window and formula sum',
        'no active meter for event_name s3_upload_bytes (--create-meters creates it)',
      ]);
    } finally {
      await other.stop();
    }
  });

  it("sends each customer-day's totals once, and nothing while they do not change", async () => {
    await meter([
      { customer: 'acme', bytes: 1000, time: '2026-11-20T10:00:00Z' },
      { customer: 'acme', bytes: 2000, time: '2026-11-21T10:00:00Z' },
      { customer: 'acme', bytes: 500, time: '2026-11-21T11:00:00Z', upload: true },
      { customer: 'globex', bytes: 7000, time: '2026-11-21T12:00:00Z' },
      { customer: 'initech', bytes: 5, time: '2026-11-21T12:00:00Z' },
    ]);
    expect(await exportNow()).toEqual({
      sent: 4,
      // The 20th and 21st settled before the 25th: these first sends are already late.
      sentForSettledDays: 4,
      alreadyDelivered: 0,
      unchanged: 0,
      tooOld: [],
      withoutStripeCustomer: ['initech'],
      failed: [],
    });
    expect(daily(DOWNLOADS, 'acme')).toEqual({ '2026-11-20': 1000, '2026-11-21': 2000 });
    expect(daily(UPLOADS, 'acme')).toEqual({ '2026-11-21': 500 });
    expect(daily(DOWNLOADS, 'globex')).toEqual({ '2026-11-21': 7000 });
    expect(fake.events.map((e) => e.timestamp)).toContain(
      Date.parse('2026-11-21T00:00:00Z') / 1000,
    );

    const calls = fake.meterEventCalls;
    expect(await exportNow()).toMatchObject({ sent: 0, unchanged: 4, failed: [] });
    expect(fake.meterEventCalls).toBe(calls);
  });

  it('replaces a day whose total grew with one new event of the whole total', async () => {
    await meter([{ customer: 'acme', bytes: 300, time: '2026-11-21T15:00:00Z' }]);
    expect(await exportNow()).toMatchObject({ sent: 1, unchanged: 3 });
    expect(daily(DOWNLOADS, 'acme')).toEqual({ '2026-11-20': 1000, '2026-11-21': 2300 });
    const acmeOn21 = fake.events.filter(
      (e) =>
        e.event_name === DOWNLOADS &&
        e.payload.stripe_customer_id === 'cus_Acme1' &&
        e.timestamp === Date.parse('2026-11-21T00:00:00Z') / 1000,
    );
    expect(acmeOn21.map((e) => e.payload.value)).toEqual(['2000', '2300']);
  });

  it('neither loses nor doubles a total when the run dies between the send and the mark', async () => {
    await meter([{ customer: 'globex', bytes: 4000, time: '2026-11-22T09:00:00Z' }]);
    const crashing = new CrashingOutbox(table.documents, table.tableName, 'stripe');
    await expect(exportNow(DAYS, crashing)).rejects.toThrow('killed between the send and the mark');
    expect(daily(DOWNLOADS, 'globex')).toEqual({ '2026-11-21': 7000, '2026-11-22': 4000 });
    // The next run sends the same identifier; Stripe's "already exists" counts as delivered.
    expect(await exportNow()).toMatchObject({ sent: 0, alreadyDelivered: 1, failed: [] });
    expect(fake.refusals.at(-1)?.message).toMatch(
      /^An event already exists with identifier s3um-2026-11-22-/,
    );
    expect(await exportNow()).toMatchObject({ sent: 0, alreadyDelivered: 0, unchanged: 5 });

    // Dying again, and Stripe forgetting the identifier (24 hours) before the next run: the
    // re-send is a second event of the same total, which the day window replaces.
    await meter([{ customer: 'globex', bytes: 1, time: '2026-11-22T10:00:00Z' }]);
    await expect(
      exportNow(DAYS, new CrashingOutbox(table.documents, table.tableName, 'stripe')),
    ).rejects.toThrow();
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    expect(await exportNow()).toMatchObject({ sent: 1, alreadyDelivered: 0 });
    expect(daily(DOWNLOADS, 'globex')).toEqual({ '2026-11-21': 7000, '2026-11-22': 4001 });
  });

  it('sends late usage of a settled day while Stripe takes it, and reports older days', async () => {
    clock = new Date('2026-11-28T12:00:00Z');
    await meter([
      { customer: 'acme', bytes: 50, time: '2026-11-21T23:59:59Z' },
      { customer: 'acme', bytes: 70, time: '2026-10-20T08:00:00Z' },
    ]);
    const late = await readPeriodUsage(
      usage,
      { kind: 'day', value: '2026-11-21' },
      { now: clock, settleWindowHours: 48 },
    );
    expect(late.settlement).toEqual({ status: 'settled', settlesAt: '2026-11-24T00:00:00.000Z' });
    expect(late.lateAdjustments.at(-1)).toMatchObject({
      customerId: 'acme',
      appliedAt: '2026-11-28T12:00:00.000Z',
      downloadBytes: 50,
    });

    const result = await exportNow(['2026-10-20', ...DAYS]);
    expect(result).toMatchObject({
      sent: 1,
      sentForSettledDays: 1,
      tooOld: [{ customerId: 'acme', day: '2026-10-20', meter: DOWNLOADS, value: 70 }],
    });
    expect(daily(DOWNLOADS, 'acme')).toEqual({ '2026-11-20': 1000, '2026-11-21': 2350 });
    // Still too old next time, still not sent.
    const calls = fake.meterEventCalls;
    expect((await exportNow(['2026-10-20'])).tooOld).toHaveLength(1);
    expect(fake.meterEventCalls).toBe(calls);
  });

  it('makes one call at a time per customer and meter, and runs one export at a time', async () => {
    const days = Array.from({ length: 8 }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}`);
    await meter(days.map((day) => ({ customer: 'acme', bytes: 10, time: `${day}T12:00:00Z` })));
    const [first, second] = await Promise.allSettled([exportNow(days), exportNow(days)]);
    const outcomes = [first, second].map((r) => r.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const refused = [first, second].find((r) => r.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(ExportRefusedError);
    expect(fake.refusals.filter((r) => r.status === 429)).toEqual([]);
    expect(Object.keys(daily(DOWNLOADS, 'acme')).filter((d) => days.includes(d))).toHaveLength(8);

    // The rule is real: two calls at once for one customer and meter get a 429.
    const direct = new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 });
    const event = (identifier: string) =>
      direct.billing.meterEvents.create({
        event_name: UPLOADS,
        identifier,
        timestamp: Math.floor(clock.getTime() / 1000) - 60,
        payload: { stripe_customer_id: 'cus_Other', value: '1' },
      });
    const both = await Promise.allSettled([event('probe-a'), event('probe-b')]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(fake.refusals.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it("leaves Stripe holding report's totals for the month, customer by customer", async () => {
    const november = await readPeriodUsage(
      usage,
      { kind: 'month', value: '2026-11' },
      { now: clock, settleWindowHours: 48 },
    );
    for (const id of ['acme', 'globex'] as const) {
      const totals = november.customers.find((c) => c.customerId === id);
      const sum = (eventName: string) =>
        Object.entries(daily(eventName, id))
          .filter(([day]) => day.startsWith('2026-11'))
          .reduce((total, [, value]) => total + value, 0);
      expect([sum(DOWNLOADS), sum(UPLOADS)]).toEqual([totals?.downloadBytes, totals?.uploadBytes]);
    }
  });
});

describe('the scheduled exportUsage function, to Stripe', () => {
  const logged: string[] = [];
  const logger = {
    info: (message: string) => logged.push(message),
    warn: (message: string) => logged.push(message),
    error: (message: string) => logged.push(message),
  } as unknown as Logger;
  const deps = (stripeBilling: (() => Promise<Stripe['billing']>) | undefined) =>
    createExportUsageDeps({
      config: { tableName: table.tableName, filesPrefix: 'usage-exports/', settleWindowHours: 48 },
      documents: table.documents,
      s3: undefined as unknown as S3Client,
      stripe: stripeBilling,
      logger,
      now: () => clock,
    });

  it('does nothing with nothing configured, and says so', async () => {
    const calls = fake.meterEventCalls;
    await createExportUsageHandler(deps(undefined))();
    expect(logged.at(-1)).toBe('no export configured (STRIPE_SECRET_ARN, EXPORT_FILES_BUCKET)');
    expect(fake.meterEventCalls).toBe(calls);
  });

  it('writes the previous and the current month as files to the bucket', async () => {
    const s3 = s3ClientFor(sharedStack());
    const prefix = `exports-${table.tableName}/`;
    try {
      const withFiles = createExportUsageDeps({
        config: {
          tableName: table.tableName,
          filesBucket: 'shared-test-bucket',
          filesPrefix: prefix,
          settleWindowHours: 48,
        },
        documents: table.documents,
        s3,
        stripe: undefined,
        logger,
        now: () => clock,
      });
      await createExportUsageHandler(withFiles)();
      const read = async (name: string) =>
        (
          await s3.send(
            new GetObjectCommand({ Bucket: 'shared-test-bucket', Key: `${prefix}${name}` }),
          )
        ).Body?.transformToString();
      const november = (await read('usage-2026-11.csv'))?.trim().split('\n') ?? [];
      expect(november.slice(1).map((row) => row.split(',').slice(3, 6))).toEqual([
        ['acme', 'cus_Acme1', '3430'],
        ['globex', 'cus_Globex1', '11001'],
        ['initech', '', '5'],
      ]);
      expect(await read('usage-2026-10.jsonl')).toContain('"customerId":"acme"');
    } finally {
      s3.destroy();
    }
  });

  it('fails the run when Stripe fails a send, which the next run sends again', async () => {
    await meter([{ customer: 'globex', bytes: 9, time: '2026-11-27T09:00:00Z' }]);
    const broken = new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 });
    const failing = {
      meters: broken.billing.meters,
      meterEvents: { create: () => Promise.reject(new Error('Stripe is down')) },
    } as unknown as Stripe['billing'];
    await expect(createExportUsageHandler(deps(() => Promise.resolve(failing)))()).rejects.toThrow(
      'Stripe: 1 events failed; the next run sends them again',
    );
    expect(logged).toContain('Stripe refused or failed some events');
    await createExportUsageHandler(deps(() => Promise.resolve(stripe.billing)))();
    expect(daily(DOWNLOADS, 'globex')['2026-11-27']).toBe(9);
  });
});
