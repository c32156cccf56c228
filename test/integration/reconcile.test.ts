import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReconcileHandler } from '../../functions/reconcile/reconcile.ts';
import { createReconcileDeps } from '../../functions/reconcile/reconcile-deps.ts';
import {
  createS3LogObjectOpener,
  type LogObjectOpener,
} from '../../shared/access-log/log-object-reader.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { logLine } from '../helpers/log-objects.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { SIGNER_ROLE, testRules } from '../helpers/rules.ts';
import { seedCustomers } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';

const BUCKET = 'shared-test-bucket';
const NOW = new Date('2026-11-22T12:00:00Z');
const PLENTY_OF_TIME = { getRemainingTimeInMillis: () => 800_000 };

let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let store: DynamoDbUsageStore;
let prefixes = 0;

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  store = new DynamoDbUsageStore(table.documents, table.tableName);
  await seedCustomers(table, ['acme']);
});

afterAll(() => {
  s3?.destroy();
  table?.destroy();
});

/** Log objects delivered on these days, each one line of `bytes` for acme, under a new prefix. */
async function deliver(days: Record<string, number>): Promise<{ prefix: string; keys: string[] }> {
  const prefix = `reconcile-${++prefixes}/`;
  const keys: string[] = [];
  for (const [day, bytes] of Object.entries(days)) {
    const key = `${prefix}${day}-06-00-00-0123456789ABCDEF`;
    const line = logLine({ customer: 'acme', bytes, time: `${day}T05:59:00Z` });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `${line}\n` }));
    keys.push(key);
  }
  return { prefix, keys };
}

function reconcileWith(prefix: string, options: { logger?: Logger; open?: LogObjectOpener } = {}) {
  const deps = createReconcileDeps({
    config: {
      tableName: table.tableName,
      logBucket: BUCKET,
      logPrefix: prefix,
      lookbackDays: 2,
      signers: [SIGNER_ROLE],
    },
    s3,
    documents: table.documents,
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
  });
  return createReconcileHandler(
    options.open === undefined ? deps : { ...deps, open: options.open },
  );
}

const acmeBytesOn = async (day: string) =>
  (await store.getTotals({ kind: 'customer', customerId: 'acme' }, { kind: 'day', value: day }))
    ?.downloadBytes;

describe('the scheduled reconcile', () => {
  it('meters the log objects of the last days that nothing metered, and only those', async () => {
    const { prefix, keys } = await deliver({
      '2026-11-19': 1, // before the two days looked through
      '2026-11-20': 20,
      '2026-11-21': 300,
      '2026-11-22': 4000,
    });
    // The notification already metered the object of the 21st.
    await meterLogObject({
      store,
      logObject: `${BUCKET}/${keys[2]}`,
      open: () => createS3LogObjectOpener(s3)(BUCKET, keys[2] ?? ''),
      loadRules: () => Promise.resolve(testRules()),
      now: () => NOW,
    });
    const logger = new Logger({ logLevel: 'SILENT' });
    const info = vi.spyOn(logger, 'info');
    await reconcileWith(prefix, { logger })({}, PLENTY_OF_TIME);
    expect(info).toHaveBeenCalledWith('reconciled', {
      since: '2026-11-20',
      listed: 3,
      ignored: 0,
      metered: 2,
      alreadyMetered: 1,
      changed: 0,
      failed: 0,
    });
    expect(await acmeBytesOn('2026-11-19')).toBeUndefined();
    expect(await acmeBytesOn('2026-11-20')).toBe(20);
    expect(await acmeBytesOn('2026-11-21')).toBe(300);
    expect(await acmeBytesOn('2026-11-22')).toBe(4000);
  });

  it('takes no new log object once the Lambda’s time runs short, and says so', async () => {
    const { prefix } = await deliver({ '2026-11-21': 5, '2026-11-22': 6 });
    const logger = new Logger({ logLevel: 'SILENT' });
    const info = vi.spyOn(logger, 'info');
    let left = 290_000;
    // Each look at the clock finds 90 s gone: the first object starts, the second does not.
    const context = { getRemainingTimeInMillis: () => (left -= 90_000) };
    await reconcileWith(prefix, { logger })({}, context);
    expect(info).toHaveBeenCalledWith('reconciled in part: out of time', {
      since: '2026-11-20',
      listed: 1,
      ignored: 0,
      metered: 1,
      alreadyMetered: 0,
      changed: 0,
      failed: 0,
    });
  });

  it('meters the others when one fails, then fails the run for the alarm', async () => {
    const { prefix, keys } = await deliver({ '2026-11-21': 70_000, '2026-11-22': 800_000 });
    const real = createS3LogObjectOpener(s3);
    // A fault forced on one object: its read fails every time.
    const open: LogObjectOpener = (bucket, key) =>
      key === keys[0] ? Promise.reject(new Error('SlowDown')) : real(bucket, key);
    const logger = new Logger({ logLevel: 'SILENT' });
    const error = vi.spyOn(logger, 'error');
    await expect(reconcileWith(prefix, { logger, open })({}, PLENTY_OF_TIME)).rejects.toThrow(
      '1 log objects failed to meter; the next run retries them',
    );
    expect(error).toHaveBeenCalledWith('log object not metered', {
      key: keys[0],
      error: expect.objectContaining({ message: 'SlowDown' }),
    });
    expect(await store.findSummary(`${BUCKET}/${keys[1]}`)).toMatchObject({ records: 1 });
    expect(await store.findSummary(`${BUCKET}/${keys[0]}`)).toBeUndefined();
    // The next run, with the fault gone, meters it.
    await reconcileWith(prefix)({}, PLENTY_OF_TIME);
    expect(await store.findSummary(`${BUCKET}/${keys[0]}`)).toMatchObject({ records: 1 });
  });
});
