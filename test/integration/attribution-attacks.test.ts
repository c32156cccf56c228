import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/start-pipeline.ts';
import { startLocalPipeline } from '../../local/start-pipeline.ts';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { createLinkSigner } from '../../shared/links/link-signer.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { emptyCounters, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import { logCreatedEvent } from '../helpers/log-objects.ts';
import { dynamoDbClientFor, s3ClientFor, sharedStack } from '../helpers/local-stack.ts';

// Every attack of the trust rule against the whole local pipeline (link API, local S3 with
// its identities and access logging, metering on each delivered log), then every total.

const CONTENT = 'attack-content';
const LOGS = 'attack-logs';
const FILE = 'files/data.bin';
const BODY = randomBytes(4321);
const TODAY = { kind: 'month', value: new Date().toISOString().slice(0, 7) } as const;

let pipeline: LocalPipeline;
let documents: DynamoDBDocumentClient;
let operator: S3Client;
let signerS3: S3Client;
let usage: DynamoDbUsageStore;
let tableName: string;
const keys: Record<string, string> = {};

const counters = (changes: Partial<UsageCounters>) => ({ ...emptyCounters(), ...changes });
const download = async (url: string | URL) => {
  const response = await fetch(url);
  return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
};
const issue = async (customerId: string, body: object) => {
  const response = await fetch(`${pipeline.api.url}/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[customerId] ?? ''}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const linkItem = async (linkId: string) =>
  (
    await documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: `LINK#${linkId}`, SK: 'LINK' } }),
    )
  ).Item;

beforeAll(async () => {
  const shared = sharedStack();
  tableName = `attacks-${randomBytes(4).toString('hex')}`;
  pipeline = await startLocalPipeline({
    contentBucket: CONTENT,
    logBucket: LOGS,
    logPrefix: 'logs/',
    tableName,
    env: {},
    logger: new Logger({ logLevel: 'SILENT' }),
    dynamodbEndpoint: shared.endpoints.dynamodb,
    logDeliveryIntervalMs: 0,
    apiPort: 0,
  });
  documents = DynamoDBDocumentClient.from(dynamoDbClientFor(shared));
  operator = s3ClientFor(pipeline.stack);
  signerS3 = s3ClientFor(pipeline.stack, 'signer');
  usage = new DynamoDbUsageStore(documents, tableName);
  const customers = new DynamoDbCustomerStore(documents, tableName);
  for (const customerId of ['acme', 'bob']) {
    await customers.createCustomer(
      validateNewCustomer({ customerId, keyPrefixes: ['files/'] }),
      new Date(),
    );
    const key = generateApiKey();
    await customers.addApiKey(customerId, key, new Date());
    keys[customerId] = key.apiKey;
  }
  await operator.send(new PutObjectCommand({ Bucket: CONTENT, Key: FILE, Body: BODY }));
});

afterAll(async () => {
  operator?.destroy();
  signerS3?.destroy();
  documents?.destroy();
  await pipeline?.stop();
});

describe('who a request bills, tried as an attacker would', () => {
  it('bills only the stack’s own links, to the byte, and says why everything else bills nobody', async () => {
    await pipeline.stack.s3.deliverLogs(); // the operator's upload: billed to nobody, checked below

    // The legitimate link, issued by the API and used once.
    const legit = await issue('bob', { key: FILE, method: 'GET' });
    expect(legit.status).toBe(201);
    const bobLink = legit.body.linkId ?? '';
    expect(await download(legit.body.url ?? '')).toEqual({ status: 200, bytes: BODY.length });

    // The operator presigns a URL of its own that names bob and bob's real link: it works…
    const byOperator = await createLinkSigner(operator).signGet({
      bucket: CONTENT,
      key: FILE,
      customerId: 'bob',
      linkId: bobLink,
      expiresIn: 300,
    });
    expect(await download(byOperator)).toEqual({ status: 200, bytes: BODY.length });

    // A junk signature, and an anonymous request that names bob: S3 refuses both.
    const junk = new URL(legit.body.url ?? '');
    junk.searchParams.set('X-Amz-Signature', 'f'.repeat(64));
    expect((await download(junk)).status).toBe(403);
    const anonymous = `${pipeline.stack.endpoints.s3}/${CONTENT}/${FILE}?x-customer-id=bob`;
    expect((await download(anonymous)).status).toBe(403);

    // Signed by the stack's own identity (as a leaked or buggy caller of it would), but for a
    // customer that does not exist, for a link id never issued, and for another's link id.
    const signer = createLinkSigner(signerS3);
    const signed = (customerId: string, linkId: string) =>
      signer.signGet({ bucket: CONTENT, key: FILE, customerId, linkId, expiresIn: 300 });
    expect((await download(await signed('ghost', 'GhostLink'))).status).toBe(200);
    expect((await download(await signed('bob', 'NeverIssuedLink'))).status).toBe(200);
    expect((await download(await signed('acme', bobLink))).status).toBe(200);

    const delivered = await pipeline.stack.s3.deliverLogs();
    expect(delivered.length).toBeGreaterThan(0);

    const bytes = BODY.length;
    const totals = await usage.listTotals(TODAY);
    expect(totals.map(({ customerId, period: _, ...c }) => [customerId, c])).toEqual([
      ['acme', counters({ downloadBytes: bytes, downloadRequests: 1 })],
      ['bob', counters({ downloadBytes: 2 * bytes, downloadRequests: 2 })],
    ]);
    const untracked = await usage.listUntrackedTotals(TODAY);
    expect(Object.fromEntries(untracked)).toEqual({
      // The operator's upload of the file, and its own URL.
      'foreign-signer': counters({
        uploadBytes: bytes,
        uploadRequests: 1,
        downloadBytes: bytes,
        downloadRequests: 1,
      }),
      'auth-failed': counters({ errorRequests: 1 }),
      unsigned: counters({ errorRequests: 1 }),
      'unknown-customer': counters({ downloadBytes: bytes, downloadRequests: 1 }),
      // The link API checking that the object exists (HeadObject, its own role).
      'not-presigned': counters({ otherRequests: 1 }),
    });

    // Bob's link holds its own download only; no link item appears for the others.
    expect(await linkItem(bobLink)).toMatchObject({
      customerId: 'bob',
      downloadBytes: bytes,
      downloadRequests: 1,
    });
    expect(await linkItem('NeverIssuedLink')).toBeUndefined();
    expect(await linkItem('GhostLink')).toBeUndefined();
    const shown = await fetch(`${pipeline.api.url}/links/NeverIssuedLink`, {
      headers: { authorization: `Bearer ${keys.bob ?? ''}` },
    });
    expect(shown.status).toBe(404);
    expect(await usage.getTotals({ kind: 'customer', customerId: 'ghost' }, TODAY)).toBeUndefined();
  });

  it('refuses a forged log object, and meters nothing that is not a log key', async () => {
    const forgedKey = 'logs/2026-11-22-10-00-00-FORGED0000000001';
    const forged = `x ${CONTENT} [22/Nov/2026:10:00:00 +0000] 1.2.3.4 arn:aws:sts::000000000000:assumed-role/usage-meter-local-issue-link/x REQ REST.GET.OBJECT ${FILE} "GET /${CONTENT}/${FILE}?x-customer-id=bob&X-Amz-Signature=0 HTTP/1.1" 200 - 1099511627776 1099511627776 1 1 "-" "-" - - SigV4 - QueryString - -\n`;
    await expect(
      operator.send(new PutObjectCommand({ Bucket: LOGS, Key: forgedKey, Body: forged })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const anonymous = await fetch(`${pipeline.stack.endpoints.s3}/${LOGS}/${forgedKey}`, {
      method: 'PUT',
      body: forged,
    });
    expect(anonymous.status).toBe(403);
    // An event for a key S3 logging never writes is ignored, whatever the object says.
    await pipeline.meter(logCreatedEvent(LOGS, 'logs/forged.log'));
    expect(await usage.findSummary(`${LOGS}/${forgedKey}`)).toBeUndefined();
    expect(await usage.findSummary(`${LOGS}/logs/forged.log`)).toBeUndefined();
    const bob = await usage.getTotals({ kind: 'customer', customerId: 'bob' }, TODAY);
    expect(bob?.downloadBytes).toBe(2 * BODY.length);
  });

  it('answers a path that does not decode with 400 and keeps serving', async () => {
    const bad = await fetch(`${pipeline.api.url}/links/%E0%A4%A`, {
      headers: { authorization: `Bearer ${keys.bob ?? ''}` },
    });
    expect([bad.status, await bad.json()]).toEqual([400, { message: 'Bad Request' }]);
    const after = await fetch(`${pipeline.api.url}/links/AnyLinkId`, {
      headers: { authorization: `Bearer ${keys.bob ?? ''}` },
    });
    expect(after.status).toBe(404);
  });
});
