import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ISSUE_LINK_ROUTES } from '../../functions/issue-link/issue-link.ts';
import type { LocalApi } from '../../local/api/local-api-server.ts';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { s3ClientFor, sharedStack, startTestLinkApi } from '../helpers/local-stack.ts';
import { createTestTable } from '../helpers/table.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { logLine } from '../helpers/log-objects.ts';
import { customer, testRules } from '../helpers/rules.ts';

type Operation = { responses: Record<string, { $ref?: string; content?: unknown }> };
const spec = parse(readFileSync(join(import.meta.dirname, '../../docs/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, unknown> };
};
// Formats (date-time, uri) are annotations here; the shapes are what is checked.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(spec, 'openapi');

/** The JSON schema a documented response has, as a $ref into the document. */
function responseSchemaRef(method: string, path: string, status: number): string {
  const operation = spec.paths[path]?.[method.toLowerCase()];
  const response = operation?.responses[String(status)];
  if (response === undefined) throw new Error(`${method} ${path} documents no ${status}`);
  const name = response.$ref?.split('/').at(-1);
  const pointer =
    name === undefined
      ? `#/paths/${path.replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}`
      : `#/components/responses/${name}`;
  return `openapi${pointer}/content/application~1json/schema`;
}

const BUCKET = 'shared-test-bucket';
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let api: LocalApi;
let apiKey: string;

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'spec/file.txt', Body: 'spec' }));
  const store = new DynamoDbCustomerStore(table.documents, table.tableName);
  await store.createCustomer(
    validateNewCustomer({ customerId: 'spec', keyPrefixes: ['spec/'] }),
    new Date(),
  );
  const key = generateApiKey();
  await store.addApiKey('spec', key, new Date());
  apiKey = key.apiKey;
  api = await startTestLinkApi(table.tableName, BUCKET);
});

afterAll(async () => {
  await api?.stop();
  s3?.destroy();
  table?.destroy();
});

/** Calls the API with `key` (the spec customer's by default; none when null). */
async function request(method: string, path: string, body?: unknown, key: string | null = apiKey) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: await response.json(),
  };
}

describe('docs/openapi.yaml against the handler’s real responses', () => {
  it('documents exactly the routes the handler serves', () => {
    const documented = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...ISSUE_LINK_ROUTES].sort());
  });

  it.each([
    ['POST', '/links', '/links', { key: 'spec/file.txt', method: 'GET' }, 201],
    ['POST', '/links', '/links', { key: 'uploads/spec/a.bin', method: 'POST', maxBytes: 10 }, 201],
    [
      'POST',
      '/links',
      '/links',
      { key: 'uploads/spec/a.bin', method: 'PUT', contentLength: 3 },
      201,
    ],
    ['POST', '/links', '/links', { method: 'GET', extra: true }, 400],
    [
      'POST',
      '/links',
      '/links',
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i])),
      400,
    ],
    ['POST', '/links', '/links', { key: 'x'.repeat(17_000), method: 'GET' }, 413],
    ['POST', '/links', '/links', { key: 'private/x', method: 'GET' }, 403],
    ['POST', '/links', '/links', { key: 'spec/missing.txt', method: 'GET' }, 404],
    ['GET', '/links/{linkId}', '/links/AAAAAAAAAAAAAAAAAAAAAA', undefined, 404],
    ['GET', '/usage', '/usage?period=2026-11', undefined, 200],
    ['GET', '/usage', '/usage?period=soon', undefined, 400],
  ])('%s %s → %s %j answers %i as documented', async (method, route, path, body, status) => {
    const answer = await request(method, path, body);
    expect(answer.status).toBe(status);
    const validate = ajv.getSchema(responseSchemaRef(method, route, status));
    expect(validate?.(answer.body), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('answers GET /links/{linkId} as documented', async () => {
    const issued = await request('POST', '/links', { key: 'spec/file.txt', method: 'GET' });
    const { linkId } = issued.body as { linkId: string };
    const answer = await request('GET', `/links/${linkId}`);
    expect(answer.status).toBe(200);
    const validate = ajv.getSchema(responseSchemaRef('GET', '/links/{linkId}', 200));
    expect(validate?.(answer.body), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('answers a call without a key with the documented 401', async () => {
    const answer = await request('GET', '/usage?period=2026-11', undefined, null);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    const validate = ajv.getSchema(responseSchemaRef('GET', '/usage', 401));
    expect(validate?.(answer.body), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('answers as documented for a customer whose budget is used up', async () => {
    const store = new DynamoDbCustomerStore(table.documents, table.tableName);
    await store.createCustomer(
      validateNewCustomer({ customerId: 'capped', keyPrefixes: ['spec/'], monthlyByteBudget: 1 }),
      new Date(),
    );
    const key = generateApiKey();
    await store.addApiKey('capped', key, new Date());
    const now = new Date();
    await meterLogObject({
      store: new DynamoDbUsageStore(table.documents, table.tableName),
      logObject: `${BUCKET}/logs/capped`,
      open: () =>
        Promise.resolve([
          `${logLine({ customer: 'capped', bytes: 1, time: now.toISOString() })}\n`,
        ]),
      loadRules: () => Promise.resolve(testRules([customer('capped')])),
      now: () => now,
    });
    const refused = await request(
      'POST',
      '/links',
      { key: 'spec/file.txt', method: 'GET' },
      key.apiKey,
    );
    const month = now.toISOString().slice(0, 7);
    const usage = await request('GET', `/usage?period=${month}`, undefined, key.apiKey);
    expect([refused.status, usage.status]).toEqual([403, 200]);
    expect(refused.body).toMatchObject({ error: { code: 'BudgetExhaustedError' } });
    expect(usage.body).toMatchObject({ budget: { usedBytes: 1, reached: true } });
    const refusal = ajv.getSchema(responseSchemaRef('POST', '/links', 403));
    expect(refusal?.(refused.body), JSON.stringify(refusal?.errors)).toBe(true);
    const totals = ajv.getSchema(responseSchemaRef('GET', '/usage', 200));
    expect(totals?.(usage.body), JSON.stringify(totals?.errors)).toBe(true);
    expect(totals?.({ ...(usage.body as object), budget: { reached: true } })).toBe(false);
  });

  it('rejects a body the document does not allow (the check can fail)', () => {
    const validate = ajv.getSchema(responseSchemaRef('POST', '/links', 201));
    expect(validate?.({ linkId: 'x', url: 'u' })).toBe(false);
  });
});
