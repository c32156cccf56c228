import { rmSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssueLinkHandler } from '../../functions/issue-link/issue-link.ts';
import { createIssueLinkDeps } from '../../functions/issue-link/issue-link-deps.ts';
import { createMeterLogsHandler } from '../../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../../functions/meter-logs/meter-logs-deps.ts';
import { createExportUsageHandler } from '../../functions/export-usage/export-usage.ts';
import { createExportUsageDeps } from '../../functions/export-usage/export-usage-deps.ts';
import { createReconcileHandler } from '../../functions/reconcile/reconcile.ts';
import { createReconcileDeps } from '../../functions/reconcile/reconcile-deps.ts';
import { createLocalDynamoDbClient, createLocalS3Client } from '../../local/clients.ts';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { apiEvent } from '../helpers/api-events.ts';
import { grants } from '../helpers/cloudformation-template.ts';
import { logCreatedEvent, logLine } from '../helpers/log-objects.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { packageStack, type Template } from '../helpers/serverless-package.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { seedLinks } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';
import Stripe from 'stripe';
import { createStripeMeters } from '../../shared/billing/stripe-meters.ts';
import { FakeStripe } from '../helpers/fake-stripe.ts';

// Each function runs its flows against the local stack with clients that record the IAM action
// behind every request they send or presign; the role in the packaged template must grant
// exactly those — no call left without its permission, no permission no call uses.

const BUCKET = 'shared-test-bucket';
const silent = new Logger({ logLevel: 'SILENT' });

/** The action IAM authorizes for each SDK command these functions send. */
const COMMAND_ACTIONS: Record<string, string> = {
  GetObjectCommand: 's3:GetObject',
  HeadObjectCommand: 's3:GetObject',
  PutObjectCommand: 's3:PutObject',
  ListObjectsV2Command: 's3:ListBucket',
  GetItemCommand: 'dynamodb:GetItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
};

/** A transaction is authorized action by action. */
const TRANSACTION_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Delete: 'dynamodb:DeleteItem',
};

interface Recording {
  actions: Set<string>;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  close(): void;
}

function recordingClients(): Recording {
  const stack = sharedStack();
  const reach = { region: stack.region, credentials: stack.credentials };
  const actions = new Set<string>();
  const s3 = createLocalS3Client({ ...reach, endpoint: stack.endpoints.s3 });
  const dynamodb = createLocalDynamoDbClient({ ...reach, endpoint: stack.endpoints.dynamodb });
  for (const middleware of [s3.middlewareStack, dynamodb.middlewareStack] as MiddlewareStack<
    object,
    object
  >[]) {
    middleware.add(
      (next, context) => (args) => {
        const command = String(context.commandName);
        if (command === 'TransactWriteItemsCommand') {
          const items = (args.input as { TransactItems: object[] }).TransactItems;
          for (const item of items) {
            for (const kind of Object.keys(item)) {
              actions.add(TRANSACTION_ACTIONS[kind] ?? `unknown:${kind}`);
            }
          }
        } else {
          actions.add(COMMAND_ACTIONS[command] ?? `unknown:${command}`);
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordIamAction' },
    );
  }
  return {
    actions,
    s3,
    documents: DynamoDBDocumentClient.from(dynamodb),
    close() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}

/** The actions a role allows, less writing to its own log group (Lambda's, not the code's). */
function roleActions(template: Template, role: string): string[] {
  return Object.keys(grants(template, role))
    .filter((action) => !action.startsWith('logs:'))
    .sort();
}

let dir: string;
let template: Template;
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let apiKey: string;

beforeAll(async () => {
  ({ dir, template } = await packageStack(['--stage', 'prod']));
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  const customers = new DynamoDbCustomerStore(table.documents, table.tableName);
  await customers.createCustomer(
    validateNewCustomer({ customerId: 'acme', keyPrefixes: ['iam/'] }),
    new Date(),
  );
  const key = generateApiKey();
  await customers.addApiKey('acme', key, new Date());
  apiKey = key.apiKey;
  await seedLinks(table, [
    { linkId: 'lnk_iampermissions1', customerId: 'acme' },
    { linkId: 'lnk_iampermissions2', customerId: 'acme' },
  ]);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'iam/report.txt', Body: 'report' }));
}, 180_000);

/** Puts a log object of one acme download on `day` under `prefix`; its key. */
async function putLog(prefix: string, day: string): Promise<string> {
  const key = `${prefix}${day}-10-00-00-IAMPERMISSIONS03`;
  const body = logLine({ customer: 'acme', bytes: 11, time: `${day}T00:00:01Z` });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return key;
}

afterAll(() => {
  s3?.destroy();
  table?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('each function’s role against the calls its code makes', () => {
  it('issueLink: every route, every kind of link', async () => {
    const recording = recordingClients();
    const handler = createIssueLinkHandler(
      createIssueLinkDeps({
        config: {
          tableName: table.tableName,
          contentBucket: BUCKET,
          defaultExpiresIn: 900,
          maxExpiresIn: 3600,
          linkRetentionDays: 90,
          linksPerMinute: 60,
          settleWindowHours: 48,
        },
        s3: recording.s3,
        documents: recording.documents,
        logger: silent,
      }),
    );
    const post = async (body: unknown) =>
      handler(apiEvent({ routeKey: 'POST /links', body, apiKey }));
    const statuses = [
      await post({ key: 'iam/report.txt', method: 'GET' }),
      await post({ key: 'iam/missing.txt', method: 'GET' }),
      await post({ key: 'uploads/acme/a.txt', method: 'PUT', contentLength: 3 }),
      await post({ key: 'uploads/acme/b.txt', method: 'POST', maxBytes: 100 }),
    ];
    expect(statuses.map((s) => s.statusCode)).toEqual([201, 404, 201, 201]);
    const { linkId } = JSON.parse(statuses[0]?.body ?? '{}') as { linkId: string };
    const shown = await handler(
      apiEvent({ routeKey: 'GET /links/{linkId}', pathParameters: { linkId }, apiKey }),
    );
    const usage = await handler({
      ...apiEvent({ routeKey: 'GET /usage', apiKey }),
      queryStringParameters: { period: '2026-11' },
    });
    expect([shown.statusCode, usage.statusCode]).toEqual([200, 200]);
    recording.close();
    expect([...recording.actions].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      's3:GetObject',
      's3:PutObject',
    ]);
    // ListBucket is no call: it is what makes HeadObject answer 404, not 403, for a missing key.
    expect(roleActions(template, 'IssueLinkRole')).toEqual(
      [...recording.actions, 's3:ListBucket'].sort(),
    );
  });

  it('meterLogs: a new log object with a link, then its repeated delivery', async () => {
    const recording = recordingClients();
    const key = 'logs/2026-11-22-10-00-00-IAMPERMISSIONS01';
    // A link never issued makes the metering read links (it checks whose they are).
    const lines = [
      logLine({ customer: 'acme', link: 'lnk_iampermissions1', bytes: 10 }),
      logLine({ customer: 'acme', link: 'lnk_iamneverissued1', bytes: 3 }),
      logLine({ customer: null, bytes: 5 }),
    ];
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: lines.join('\n') }));
    const handler = createMeterLogsHandler(
      createMeterLogsDeps({
        config: { tableName: table.tableName, logPrefix: 'logs/', signers: [SIGNER_ROLE] },
        s3: recording.s3,
        documents: recording.documents,
        logger: silent,
      }),
    );
    await handler(logCreatedEvent(BUCKET, key));
    await handler(logCreatedEvent(BUCKET, key));
    recording.close();
    const store = new DynamoDbUsageStore(table.documents, table.tableName);
    expect(await store.findSummary(`${BUCKET}/${key}`)).toMatchObject({ records: 3 });
    expect([...recording.actions].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      's3:GetObject',
    ]);
    // SendMessage is Lambda's, for the on-failure destination, on the function's behalf.
    expect(roleActions(template, 'MeterLogsRole')).toEqual(
      [...recording.actions, 'sqs:SendMessage'].sort(),
    );
  });

  it('reconcile: a run that lists and meters', async () => {
    const recording = recordingClients();
    const prefix = 'iam-reconcile/';
    const key = `${prefix}2026-11-22-10-00-00-IAMPERMISSIONS02`;
    const body = [
      logLine({ customer: 'acme', link: 'lnk_iampermissions2', bytes: 7 }),
      logLine({ customer: 'acme', link: 'lnk_iamneverissued2', bytes: 3 }),
    ].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const handler = createReconcileHandler(
      createReconcileDeps({
        config: {
          tableName: table.tableName,
          logBucket: BUCKET,
          logPrefix: prefix,
          lookbackDays: 1,
          signers: [SIGNER_ROLE],
        },
        s3: recording.s3,
        documents: recording.documents,
        logger: silent,
        now: () => new Date('2026-11-22T12:00:00Z'),
      }),
    );
    await handler({}, { getRemainingTimeInMillis: () => 800_000 });
    recording.close();
    expect(recording.actions).toContain('s3:ListBucket');
    expect(roleActions(template, 'ReconcileRole')).toEqual([...recording.actions].sort());
  });

  it('exportUsage: a run that sends totals to Stripe and marks them', async () => {
    const fake = await FakeStripe.start();
    const recording = recordingClients();
    try {
      const billing = new Stripe('sk_test_iam', fake.sdkOptions).billing;
      await createStripeMeters(billing.meters);
      await new DynamoDbCustomerStore(table.documents, table.tableName).updateCustomer(
        validateNewCustomer({
          customerId: 'acme',
          keyPrefixes: ['iam/'],
          stripeCustomerId: 'cus_Iam',
        }),
      );
      const day = new Date().toISOString().slice(0, 10);
      await createMeterLogsHandler(
        createMeterLogsDeps({
          config: { tableName: table.tableName, logPrefix: 'iam-export/', signers: [SIGNER_ROLE] },
          s3,
          documents: table.documents,
          logger: silent,
        }),
      )(logCreatedEvent(BUCKET, await putLog('iam-export/', day)));
      const handler = createExportUsageHandler(
        createExportUsageDeps({
          config: {
            tableName: table.tableName,
            filesPrefix: 'usage-exports/',
            settleWindowHours: 48,
          },
          documents: recording.documents,
          s3: recording.s3,
          stripe: () => Promise.resolve(billing),
          logger: silent,
        }),
      );
      await handler();
      expect(fake.dailyValues('s3_download_bytes', 'cus_Iam').get(day)).toBe(11);
    } finally {
      recording.close();
      await fake.stop();
    }
    expect(roleActions(template, 'ExportUsageRole')).toEqual([...recording.actions].sort());
  });
});
