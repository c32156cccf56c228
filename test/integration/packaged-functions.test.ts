import { execFile } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { apiEvent } from '../helpers/api-events.ts';
import { logCreatedEvent, logLine } from '../helpers/log-objects.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { packageStack } from '../helpers/serverless-package.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { seedCustomers } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';

const run = promisify(execFile);
const BUCKET = 'shared-test-bucket';
const INVOKE = `
const { handler } = await import(process.argv[1]);
const context = { getRemainingTimeInMillis: () => 900_000 };
process.stdout.write(JSON.stringify((await handler(JSON.parse(process.argv[2]), context)) ?? null) + '\\n');
`;

let dir: string;
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  ({ dir } = await packageStack());
  for (const name of ['issueLink', 'meterLogs', 'reconcile']) {
    await run('python3', ['-m', 'zipfile', '-e', join(dir, `${name}.zip`), join(dir, name)]);
  }
}, 180_000);

/**
 * Runs a packaged handler in a fresh Node process with Lambda-like settings pointing at the
 * local stack, and resolves with what it returned, as JSON.
 */
async function invoke(
  bundle: string,
  event: unknown,
  env: Record<string, string>,
): Promise<string> {
  const stack = sharedStack();
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', INVOKE, bundle, JSON.stringify(event)],
    {
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: table.tableName,
        AWS_REGION: stack.region,
        AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
        // The SDK's own endpoint settings: the bundle runs unchanged, as in Lambda.
        AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        ...env,
      },
    },
  );
  return stdout.trim().split('\n').at(-1) ?? '';
}

afterAll(() => {
  s3?.destroy();
  table?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packaged issue-link function', () => {
  it('is one minified ES module that issues a working link on the local stack', async () => {
    const bundle = join(dir, 'issueLink/functions/issue-link/handler.mjs');
    const store = new DynamoDbCustomerStore(table.documents, table.tableName);
    await store.createCustomer(validateNewCustomer({ customerId: 'acme' }), new Date());
    const key = generateApiKey();
    await store.addApiKey('acme', key, new Date());
    const event = apiEvent({
      routeKey: 'POST /links',
      body: { key: 'uploads/acme/bundle.txt', method: 'PUT', contentLength: 5 },
      apiKey: key.apiKey,
    });
    const response = JSON.parse(await invoke(bundle, event, { CONTENT_BUCKET: BUCKET })) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(201);
    const { url } = JSON.parse(response.body) as { url: string };
    const upload = await fetch(url, { method: 'PUT', body: 'hello' });
    expect(upload.status).toBe(200);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/acme/bundle.txt' }),
    );
    expect(await stored.Body?.transformToString()).toBe('hello');
  });
});

describe('the packaged functions', () => {
  it('are each under 300 KB zipped', () => {
    for (const name of ['issueLink', 'meterLogs', 'reconcile']) {
      expect(statSync(join(dir, `${name}.zip`)).size, name).toBeLessThan(300 * 1024);
    }
  });

  it('name the error as written and map our frames to the TypeScript source and line', async () => {
    const bundle = join(dir, 'issueLink/functions/issue-link/handler.mjs');
    // As in Lambda (NODE_OPTIONS in serverless.yml), with a setting missing: the cold start fails.
    const { stdout } = await run(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        'await import(process.argv[1]).catch((error) => console.log(error.stack));',
        bundle,
      ],
      { env: { PATH: process.env.PATH } },
    );
    expect(stdout).toMatch(/^ConfigError: invalid configuration: TABLE_NAME is required/);
    expect(stdout).toMatch(/at loadIssueLinkConfig \(.*shared\/config\.ts:\d+:\d+\)/);
    expect(stdout).toMatch(/functions\/issue-link\/handler\.ts:\d+:\d+/);
  });
});

describe('the packaged meter-logs function', () => {
  it('meters a log object from the local S3 into the table', async () => {
    const key = 'logs/2026-11-22-10-00-00-PACKAGED0000001';
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: `${logLine({ customer: 'packaged', bytes: 321 })}\n`,
      }),
    );
    await seedCustomers(table, ['packaged']);
    const bundle = join(dir, 'meterLogs/functions/meter-logs/handler.mjs');
    const env = { LOG_PREFIX: 'logs/', SIGNER_ARNS: SIGNER_ROLE };
    expect(await invoke(bundle, logCreatedEvent(BUCKET, key), env)).toBe('null');
    const store = new DynamoDbUsageStore(table.documents, table.tableName);
    expect(
      await store.getTotals(
        { kind: 'customer', customerId: 'packaged' },
        { kind: 'month', value: '2026-11' },
      ),
    ).toMatchObject({ downloadBytes: 321, downloadRequests: 1 });
  });
});

describe('the packaged reconcile function', () => {
  it('meters the recent log objects that no notification metered', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const prefix = 'reconcile-packaged/';
    const key = `${prefix}${today}-10-00-00-RECONCILE000001`;
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: `${logLine({ customer: 'reconciled', bytes: 654, time: `${today}T10:00:00Z` })}\n`,
      }),
    );
    await seedCustomers(table, ['reconciled']);
    const bundle = join(dir, 'reconcile/functions/reconcile/handler.mjs');
    const env = {
      LOG_BUCKET: BUCKET,
      LOG_PREFIX: prefix,
      RECONCILE_LOOKBACK_DAYS: '1',
      SIGNER_ARNS: SIGNER_ROLE,
    };
    expect(await invoke(bundle, {}, env)).toBe('null');
    const store = new DynamoDbUsageStore(table.documents, table.tableName);
    expect(await store.findSummary(`${BUCKET}/${key}`)).toMatchObject({ records: 1 });
    expect(
      await store.getTotals(
        { kind: 'customer', customerId: 'reconciled' },
        { kind: 'day', value: today },
      ),
    ).toMatchObject({ downloadBytes: 654, downloadRequests: 1 });
  });
});
