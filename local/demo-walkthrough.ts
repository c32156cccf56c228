import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateApiKey } from '../shared/customers/api-key.ts';
import { validateNewCustomer } from '../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../shared/customers/dynamodb-customer-store.ts';
import { createLinkSigner } from '../shared/links/link-signer.ts';
import type { UntrackedReason } from '../shared/usage/attribution-rules.ts';
import { DynamoDbUsageStore } from '../shared/usage/dynamodb-usage-store.ts';
import {
  COUNTER_NAMES,
  emptyCounters,
  type UsageCounters,
} from '../shared/usage/usage-counters.ts';
import { createLocalClients } from './clients.ts';
import { buildObjectCreatedEvent } from './s3/object-created-event.ts';
import { startLocalPipeline } from './start-pipeline.ts';

const CONTENT = 'demo-content';
const LOGS = 'demo-logs';
const TABLE = 'demo';

/** What the walkthrough did and found. */
export interface WalkthroughResult {
  /** Per customer: what the clients counted themselves, and what the metering stored. */
  customers: Array<{ customerId: string; expected: UsageCounters; metered: UsageCounters }>;
  /** The same for the requests that must bill nobody, per reason. */
  untracked: Array<{ reason: UntrackedReason; expected: UsageCounters; metered: UsageCounters }>;
  logObjects: string[];
  agree: boolean;
}

/**
 * The whole pipeline once, on a fresh in-memory stack: three customers get links through
 * the HTTP API, download (whole and by range), try a tampered and an expired link, upload
 * through a PUT link, and the operator presigns a URL of its own that names a customer; the
 * access logs are delivered and metered — then delivered again, as at-least-once
 * notifications do; the stored totals are compared with what the clients themselves sent
 * and received, and what must bill nobody with the untracked totals.
 */
export async function runWalkthrough(options: {
  say: (line: string) => void;
  /** Reuse a running DynamoDB Local (the tests' one) instead of starting one. */
  dynamodbEndpoint?: string;
}): Promise<WalkthroughResult> {
  const { say } = options;
  const tableName = `${TABLE}-${Date.now().toString(36)}`;
  const { stack, api, meter, stop } = await startLocalPipeline({
    contentBucket: CONTENT,
    logBucket: LOGS,
    logPrefix: 'logs/',
    tableName,
    env: {},
    logger: new Logger({ logLevel: 'SILENT' }),
    logDeliveryIntervalMs: 0,
    dynamodbPort: 0,
    s3Port: 0,
    apiPort: 0,
    ...(options.dynamodbEndpoint === undefined
      ? {}
      : { dynamodbEndpoint: options.dynamodbEndpoint }),
  });
  const { s3, dynamodb } = createLocalClients(stack);
  try {
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const customers = new DynamoDbCustomerStore(documents, tableName);
    const expected = new Map<string, UsageCounters>();
    const nobody = new Map<UntrackedReason, UsageCounters>([
      ['auth-failed', emptyCounters()],
      ['foreign-signer', emptyCounters()],
    ]);
    const keys = new Map<string, string>();
    for (const customerId of ['acme', 'globex', 'initech']) {
      await customers.createCustomer(
        validateNewCustomer({ customerId, keyPrefixes: ['library/'] }),
        new Date(),
      );
      const key = generateApiKey();
      await customers.addApiKey(customerId, key, new Date());
      keys.set(customerId, key.apiKey);
      expected.set(customerId, emptyCounters());
    }
    const book = Buffer.alloc(300_000, 'b');
    await s3.send(new PutObjectCommand({ Bucket: CONTENT, Key: 'library/book.pdf', Body: book }));
    // The operator's own upload is logged too, and bills nobody.
    nobody.set('foreign-signer', {
      ...emptyCounters(),
      uploadBytes: book.length,
      uploadRequests: 1,
    });
    say(`stack up: link API ${api.url}, S3 ${stack.endpoints.s3}; 3 customers with API keys`);

    const issue = async (customerId: string, body: object) => {
      const response = await fetch(`${api.url}/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.get(customerId) ?? ''}` },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`POST /links answered ${response.status}`);
      return ((await response.json()) as { url: string }).url;
    };
    const count = (customerId: string) => expected.get(customerId) ?? emptyCounters();
    const countNobody = (reason: UntrackedReason) => nobody.get(reason) ?? emptyCounters();

    for (const [customerId, downloads] of [
      ['acme', 2],
      ['globex', 1],
    ] as const) {
      for (let i = 0; i < downloads; i++) {
        const response = await fetch(
          await issue(customerId, { key: 'library/book.pdf', method: 'GET' }),
        );
        count(customerId).downloadBytes += (await response.arrayBuffer()).byteLength;
        count(customerId).downloadRequests++;
        say(`${customerId}: downloaded the book (${response.status})`);
      }
    }
    const range = await fetch(await issue('initech', { key: 'library/book.pdf', method: 'GET' }), {
      headers: { range: 'bytes=0-9999' },
    });
    count('initech').downloadBytes += (await range.arrayBuffer()).byteLength;
    count('initech').downloadRequests++;
    say(`initech: downloaded the first 10,000 bytes (${range.status})`);

    const tampered = new URL(await issue('globex', { key: 'library/book.pdf', method: 'GET' }));
    tampered.searchParams.set('x-customer-id', 'acme');
    const refused = await fetch(tampered);
    await refused.arrayBuffer();
    // S3 refused the signature: the request bills nobody, not even as acme's error.
    countNobody('auth-failed').errorRequests++;
    say(`globex: a link re-attributed to acme was refused (${refused.status})`);

    const shortLived = await issue('acme', {
      key: 'library/book.pdf',
      method: 'GET',
      expiresIn: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await fetch(shortLived);
    await expired.arrayBuffer();
    countNobody('auth-failed').errorRequests++;
    say(`acme: a link used after it expired was refused (${expired.status})`);

    // The operator's credentials can presign a URL that names acme; it works, as in AWS, but
    // only the link API's own identity bills a customer.
    const operatorUrl = await createLinkSigner(s3).signGet({
      bucket: CONTENT,
      key: 'library/book.pdf',
      customerId: 'acme',
      linkId: 'not-issued-by-the-api',
      expiresIn: 60,
    });
    const byOperator = await fetch(operatorUrl);
    countNobody('foreign-signer').downloadBytes += (await byOperator.arrayBuffer()).byteLength;
    countNobody('foreign-signer').downloadRequests++;
    say(
      `operator: a URL it presigned for acme downloaded the book, billed to nobody (${byOperator.status})`,
    );

    const upload = Buffer.alloc(12_345, 'u');
    const put = await fetch(
      await issue('initech', {
        key: 'uploads/initech/data.bin',
        method: 'PUT',
        contentLength: upload.length,
      }),
      { method: 'PUT', body: upload },
    );
    count('initech').uploadBytes += upload.length;
    count('initech').uploadRequests++;
    say(`initech: uploaded 12,345 bytes through a PUT link (${put.status})`);

    const logObjects = await stack.s3.deliverLogs();
    say(`access logs delivered and metered: ${logObjects.join(', ')}`);
    // S3 notifications are at-least-once: deliver every log object's event again.
    for (const key of logObjects) {
      await meter(
        buildObjectCreatedEvent({
          kind: 'Put',
          bucket: LOGS,
          key,
          size: 0,
          eTag: '',
          region: stack.region,
          time: new Date(),
          sourceIp: '127.0.0.1',
          requestId: 'REDELIVERED',
          hostId: '',
          principalId: 'AWS:logging',
          sequencer: '0',
        }),
      );
    }
    say('the same log objects delivered a second time: counted once');

    const usage = new DynamoDbUsageStore(documents, tableName);
    const month = { kind: 'month' as const, value: new Date().toISOString().slice(0, 7) };
    const result = await Promise.all(
      [...expected].map(async ([customerId, counted]) => ({
        customerId,
        expected: counted,
        metered:
          (await usage.getTotals({ kind: 'customer', customerId }, month)) ?? emptyCounters(),
      })),
    );
    const untrackedTotals = await usage.listUntrackedTotals(month);
    const untracked = [...nobody].map(([reason, counted]) => ({
      reason,
      expected: counted,
      metered: untrackedTotals.get(reason) ?? emptyCounters(),
    }));
    const agree = [...result, ...untracked].every((r) =>
      COUNTER_NAMES.every((n) => r.expected[n] === r.metered[n]),
    );
    return { customers: result, untracked, logObjects, agree };
  } finally {
    s3.destroy();
    dynamodb.destroy();
    await stop();
  }
}
