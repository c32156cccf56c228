import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createIssueLinkHandler,
  type IssueLinkDeps,
} from '../../functions/issue-link/issue-link.ts';
import { createIssueLinkDeps } from '../../functions/issue-link/issue-link-deps.ts';
import { createLocalS3Client } from '../../local/clients.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbLinkRegistry } from '../../shared/links/dynamodb-link-registry.ts';
import { generateLinkId } from '../../shared/links/link-id.ts';
import { createLinkIssuer } from '../../shared/links/link-issuer.ts';
import { createLinkSigner } from '../../shared/links/link-signer.ts';
import { createS3ObjectLookup } from '../../shared/links/object-lookup.ts';
import { signingKeysFromSecret } from '../../shared/links/signing-keys.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { apiEvent } from '../helpers/api-events.ts';
import { logLine } from '../helpers/log-objects.ts';
import { s3ClientFor, startTestStack } from '../helpers/local-stack.ts';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { makeRecord, presignedUri } from '../helpers/records.ts';
import { customer, OPERATOR_ARN, testRules } from '../helpers/rules.ts';
import { createTestTable } from '../helpers/table.ts';

const CONTENT = 'issue-link-content';
const REPORT = 'reports/2026/annual report.pdf';
const BODY = randomBytes(100_000);
const NOW = new Date('2026-11-22T10:00:00Z');

let stack: LocalStack;
let s3: S3Client;
let table: Awaited<ReturnType<typeof createTestTable>>;
let store: DynamoDbCustomerStore;
let deps: IssueLinkDeps;
let handler: ReturnType<typeof createIssueLinkHandler>;
const keys = { acme: '', globex: '', revoked: '', disabled: '' };

const silent = () => new Logger({ serviceName: 'issue-link-test', logLevel: 'SILENT' });

const depsConfig = () => ({
  tableName: table.tableName,
  contentBucket: CONTENT,
  defaultExpiresIn: 900,
  maxExpiresIn: 3600,
  linkRetentionDays: 90,
  linksPerMinute: 1000,
  settleWindowHours: 48,
});

function depsAt(now: () => Date, logger = silent()) {
  return createIssueLinkDeps({
    config: depsConfig(),
    s3,
    documents: table.documents,
    logger,
    now,
  });
}

/** The issuer's settings as createIssueLinkDeps makes them, to rebuild it with one change. */
function issuerSettings() {
  return {
    bucket: CONTENT,
    defaultExpiresIn: 900,
    linkRetentionDays: 90,
    signer: createLinkSigner(s3),
    registry: new DynamoDbLinkRegistry(table.documents, table.tableName),
    objects: createS3ObjectLookup(s3),
    now: () => new Date(),
    newLinkId: generateLinkId,
  };
}

beforeAll(async () => {
  stack = await startTestStack({ buckets: [CONTENT] });
  s3 = s3ClientFor(stack);
  table = await createTestTable();
  store = new DynamoDbCustomerStore(table.documents, table.tableName);
  await s3.send(new PutObjectCommand({ Bucket: CONTENT, Key: REPORT, Body: BODY }));
  const customers = [
    { customerId: 'acme', keyPrefixes: ['reports/'] },
    { customerId: 'globex', keyPrefixes: [] },
    { customerId: 'revoked' },
    { customerId: 'disabled' },
  ];
  for (const input of customers) {
    await store.createCustomer(validateNewCustomer(input), NOW);
    const key = generateApiKey();
    await store.addApiKey(input.customerId, key, NOW);
    keys[input.customerId as keyof typeof keys] = key.apiKey;
    if (input.customerId === 'revoked') await store.revokeApiKey('revoked', key.keyId, NOW);
  }
  await store.disableCustomer('disabled', NOW);
  deps = depsAt(() => new Date());
  handler = createIssueLinkHandler(deps);
});

afterAll(async () => {
  s3?.destroy();
  table?.destroy();
  await stack?.stop();
});

interface Answer {
  status: number | undefined;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

async function call(
  event: Parameters<typeof handler>[0],
  using: typeof handler = handler,
): Promise<Answer> {
  const response = await using(event);
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: JSON.parse(response.body ?? 'null') as Record<string, unknown>,
  };
}

const issue = (body: unknown, apiKey = keys.acme, using = handler) =>
  call(apiEvent({ routeKey: 'POST /links', body, apiKey }), using);

/** A link's URL and the form fields of a POST link, from a 201 answer. */
function issued(answer: Answer): { url: string; fields: Record<string, string>; linkId: string } {
  expect(answer.status).toBe(201);
  return answer.body as unknown as { url: string; fields: Record<string, string>; linkId: string };
}

describe('POST /links: GET links', () => {
  it('issues a link that downloads the object, whole or by range, and states its expiry', async () => {
    const before = Date.now();
    const answer = await issue({ key: REPORT, method: 'GET', expiresIn: 600 });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toMatchObject({
      customerId: 'acme',
      bucket: CONTENT,
      key: REPORT,
      method: 'GET',
      expiresIn: 600,
    });
    const { url, linkId } = issued(answer);
    expect(linkId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const expiresAt = Date.parse(answer.body.expiresAt as string);
    expect(expiresAt - Date.parse(answer.body.issuedAt as string)).toBeLessThanOrEqual(600_000);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    const link = new URL(url);
    expect(link.searchParams.get('x-customer-id')).toBe('acme');
    expect(link.searchParams.get('x-link-id')).toBe(linkId);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('600');

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(BODY)).toBe(true);
    const range = await fetch(url, { headers: { range: 'bytes=100-4195' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(BODY.subarray(100, 4196))).toBe(true);
  });

  it.each([
    ['its customer is changed', (u: URL) => u.searchParams.set('x-customer-id', 'globex')],
    ['its customer is removed', (u: URL) => u.searchParams.delete('x-customer-id')],
    ['its link id is changed', (u: URL) => u.searchParams.set('x-link-id', 'another')],
    ['a parameter is added', (u: URL) => u.searchParams.append('x-customer-id', 'globex')],
    ['its expiry is stretched', (u: URL) => u.searchParams.set('X-Amz-Expires', '604800')],
  ])('refuses a link once %s: 403', async (_, tamper) => {
    const url = new URL(issued(await issue({ key: REPORT, method: 'GET' })).url);
    tamper(url);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a link after it has expired: 403', async () => {
    const anHourAgo = createIssueLinkHandler(depsAt(() => new Date(Date.now() - 3_600_000)));
    const answer = await issue({ key: REPORT, method: 'GET', expiresIn: 60 }, keys.acme, anHourAgo);
    const response = await fetch(issued(answer).url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Message>Request has expired</Message>');
  });

  it('cuts a link short to when the signing credentials expire, and says so', async () => {
    const inTwoMinutes = depsAt(() => new Date());
    const soon = createIssueLinkHandler({
      ...inTwoMinutes,
      issuer: createLinkIssuer({
        ...issuerSettings(),
        credentialsExpiration: () => Promise.resolve(new Date(Date.now() + 120_000)),
      }),
    });
    const answer = await issue({ key: REPORT, method: 'GET', expiresIn: 3600 }, keys.acme, soon);
    expect(answer.body.expiresIn).toBeGreaterThanOrEqual(119);
    expect(answer.body.expiresIn).toBeLessThanOrEqual(120);
    expect(new URL(issued(answer).url).searchParams.get('X-Amz-Expires')).toBe(
      String(answer.body.expiresIn),
    );
    const expired = createIssueLinkHandler({
      ...inTwoMinutes,
      issuer: createLinkIssuer({
        ...issuerSettings(),
        credentialsExpiration: () => Promise.resolve(new Date(Date.now() - 1000)),
      }),
    });
    expect((await issue({ key: REPORT, method: 'GET' }, keys.acme, expired)).status).toBe(500);
  });

  it('signs with the signing user’s keys when given them, so links outlive the role’s session', async () => {
    // The role's session ends in two minutes; the signing user's keys do not expire.
    const role = createLocalS3Client({
      endpoint: stack.endpoints.s3,
      region: stack.region,
      credentials: { ...stack.credentials, expiration: new Date(Date.now() + 120_000) },
    });
    const readSecret = vi.fn(() => Promise.resolve(JSON.stringify(stack.credentials)));
    const signingUser = createLocalS3Client({
      endpoint: stack.endpoints.s3,
      region: stack.region,
      credentials: signingKeysFromSecret(readSecret),
    });
    const config = { ...depsConfig(), maxExpiresIn: 7 * 24 * 3600 };
    const build = (signingS3?: S3Client) =>
      createIssueLinkHandler(
        createIssueLinkDeps({
          config,
          s3: role,
          ...(signingS3 === undefined ? {} : { signingS3 }),
          documents: table.documents,
          logger: silent(),
        }),
      );
    const week = 7 * 24 * 3600;
    const byRole = await issue({ key: REPORT, method: 'GET', expiresIn: week }, keys.acme, build());
    expect(byRole.body.expiresIn).toBeLessThanOrEqual(120);
    const bySigner = build(signingUser);
    for (const expiresIn of [week, 7200]) {
      const answer = await issue({ key: REPORT, method: 'GET', expiresIn }, keys.acme, bySigner);
      expect(answer.body.expiresIn).toBe(expiresIn);
      const response = await fetch(issued(answer).url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(BODY)).toBe(true);
    }
    // The secret is read once for the environment, not once a link.
    expect(readSecret).toHaveBeenCalledTimes(1);
    role.destroy();
    signingUser.destroy();
  });

  it('offers the download under the requested file name', async () => {
    const { url } = issued(await issue({ key: REPORT, method: 'GET', filename: 'Report.pdf' }));
    const response = await fetch(url);
    await response.arrayBuffer();
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Report.pdf"; filename*=UTF-8''Report.pdf`,
    );
  });
});

describe('POST /links: uploads', () => {
  it('issues a PUT link that uploads only with the signed content type and length', async () => {
    const body = 'id,amount\n1,42\n';
    const { url } = issued(
      await issue({
        key: 'uploads/acme/invoice.csv',
        method: 'PUT',
        contentType: 'text/csv',
        contentLength: body.length,
      }),
    );
    const put = (data: string, type: string) =>
      fetch(url, { method: 'PUT', body: data, headers: { 'content-type': type } });
    expect((await put(body, 'text/html')).status).toBe(403);
    expect((await put(`${body}2,7\n`, 'text/csv')).status).toBe(403);
    expect((await put(body, 'text/csv')).status).toBe(200);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: CONTENT, Key: 'uploads/acme/invoice.csv' }),
    );
    expect(await stored.Body?.transformToString()).toBe(body);
  });

  it('issues a POST form that uploads up to maxBytes and is refused above', async () => {
    const { url, fields } = issued(
      await issue({ key: 'uploads/acme/photo.jpg', method: 'POST', maxBytes: 1000 }),
    );
    expect(fields).toMatchObject({
      key: 'uploads/acme/photo.jpg',
      'x-amz-meta-customer-id': 'acme',
    });
    const post = (size: number) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([Buffer.alloc(size, 7)]), 'photo.jpg');
      return fetch(url, { method: 'POST', body: form });
    };
    const tooLarge = await post(1001);
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain('<Code>EntityTooLarge</Code>');
    const fits = await post(1000);
    expect(fits.status).toBe(204);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: CONTENT, Key: 'uploads/acme/photo.jpg' }),
    );
    expect((await stored.Body?.transformToByteArray())?.length).toBe(1000);
    expect(stored.Metadata).toMatchObject({ 'customer-id': 'acme' });
  });

  it('refuses a POST form whose key was edited', async () => {
    const { url, fields } = issued(
      await issue({ key: 'uploads/acme/a.txt', method: 'POST', maxBytes: 100 }),
    );
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      form.append(name, name === 'key' ? 'uploads/globex/a.txt' : value);
    }
    form.append('file', new Blob(['hello']), 'a.txt');
    const response = await fetch(url, { method: 'POST', body: form });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Invalid according to Policy: Policy Condition failed');
  });
});

describe('POST /links: who may have which link', () => {
  it.each([
    [
      'a GET link outside the customer’s prefixes',
      { key: 'private/secret.pdf', method: 'GET' },
      403,
      'ForbiddenError',
      'key is outside the prefixes customer acme may download from',
    ],
    [
      'a PUT link outside the customer’s upload prefix',
      { key: 'reports/overwrite.pdf', method: 'PUT' },
      403,
      'ForbiddenError',
      'uploads of customer acme must go under uploads/acme/',
    ],
    [
      'a POST link into another customer’s uploads',
      { key: 'uploads/globex/x.bin', method: 'POST', maxBytes: 10 },
      403,
      'ForbiddenError',
      'uploads of customer acme must go under uploads/acme/',
    ],
    [
      'a GET link for an object that does not exist',
      { key: 'reports/missing.pdf', method: 'GET' },
      404,
      'NotFoundError',
      'no object reports/missing.pdf',
    ],
  ])('refuses %s', async (_, body, status, code, message) => {
    const answer = await issue(body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      error: { code, message, requestId: expect.any(String) as string },
    });
  });

  it('lets a customer download what it uploaded', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: CONTENT, Key: 'uploads/globex/own.txt', Body: 'mine' }),
    );
    const { url } = issued(
      await issue({ key: 'uploads/globex/own.txt', method: 'GET' }, keys.globex),
    );
    expect(await (await fetch(url)).text()).toBe('mine');
  });

  it.each([
    ['no API key', undefined, 401, 'UnauthorizedError'],
    ['a revoked API key', 'revoked', 401, 'UnauthorizedError'],
    ['the key of a disabled customer', 'disabled', 403, 'ForbiddenError'],
  ] as const)('refuses a caller with %s', async (_, who, status, code) => {
    const answer = await call(
      apiEvent({
        routeKey: 'POST /links',
        body: { key: REPORT, method: 'GET' },
        ...(who === undefined ? {} : { apiKey: keys[who] }),
      }),
    );
    expect(answer.status).toBe(status);
    expect((answer.body.error as { code: string }).code).toBe(code);
    if (status === 401) expect(answer.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('POST /links: validation', () => {
  const problems = (...list: Array<[string, string]>) =>
    list.map(([field, problem]) => ({ field, problem }));

  it.each([
    ['a body that is not JSON', '{"key":', problems(['body', 'must be valid JSON'])],
    ['a body that is an array', [], problems(['body', 'must be a JSON object'])],
    [
      'an empty object',
      {},
      problems(['method', 'must be one of GET, PUT, POST'], ['key', 'is required']),
    ],
    [
      'an unknown method and an empty key',
      { key: '', method: 'DELETE' },
      problems(['method', 'must be one of GET, PUT, POST'], ['key', 'must be a non-empty string']),
    ],
    [
      'every field wrong at once',
      { key: 'a/../b', method: 'GET', expiresIn: 0, filename: '', extra: 1 },
      problems(
        ['key', 'must not contain . or .. path segments'],
        ['expiresIn', 'must be a whole number from 1 to 3600'],
        ['filename', 'must be a string of 1 to 255 characters'],
        ['extra', 'is not a known field'],
      ),
    ],
    [
      'an expiry above the maximum',
      { key: REPORT, method: 'GET', expiresIn: 3601 },
      problems(['expiresIn', 'must be a whole number from 1 to 3600']),
    ],
    [
      'fields of another method',
      { key: 'uploads/acme/x', method: 'GET', contentType: 'text/csv', maxBytes: 5 },
      problems(
        ['contentType', 'applies only to PUT and POST links'],
        ['maxBytes', 'applies only to POST links'],
      ),
    ],
    [
      'a POST without maxBytes',
      { key: 'uploads/acme/x', method: 'POST' },
      problems(['maxBytes', 'is required for POST links']),
    ],
    [
      'a PUT with a bad type and a negative length',
      { key: 'uploads/acme/x', method: 'PUT', contentType: 'csv', contentLength: -1 },
      problems(
        ['contentType', 'must be a media type such as text/csv'],
        ['contentLength', 'must be a whole number from 0 to 5368709120'],
      ),
    ],
    [
      'a key with a control character',
      { key: 'reports/a\nb', method: 'GET' },
      problems(['key', 'must not contain control characters']),
    ],
    [
      'a __proto__ field',
      `{"__proto__":{"maxBytes":1},"key":"${REPORT}","method":"GET"}`,
      problems(['__proto__', 'is not a known field']),
    ],
    [
      'constructor and toString fields',
      `{"constructor":1,"toString":"x","key":"${REPORT}","method":"GET"}`,
      problems(['constructor', 'is not a known field'], ['toString', 'is not a known field']),
    ],
    [
      'a POST key that S3 would rewrite with the file’s name',
      { key: 'uploads/acme/${filename}', method: 'POST', maxBytes: 10 },
      problems(['key', 'must not contain ${filename} in a POST link']),
    ],
  ])('answers 400 naming every bad field for %s', async (_, body, expected) => {
    const answer = await issue(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: {
        code: 'ValidationError',
        message: expected.map((p) => `${p.field}: ${p.problem}`).join('; '),
        requestId: expect.any(String) as string,
        problems: expected,
      },
    });
  });

  it('answers 404 for a route it does not serve', async () => {
    const answer = await call(apiEvent({ routeKey: 'DELETE /links/{linkId}', apiKey: keys.acme }));
    expect(answer.status).toBe(404);
  });

  it('lists at most 20 problems and counts the rest', async () => {
    const body = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 1]));
    const answer = await issue({ key: REPORT, method: 'GET', ...body });
    expect(answer.status).toBe(400);
    const error = answer.body.error as { problems: unknown[]; omittedProblems: number };
    expect(error.problems).toHaveLength(20);
    expect(error.problems[19]).toEqual({ field: 'f19', problem: 'is not a known field' });
    expect(error.omittedProblems).toBe(80);
  });

  it('refuses a body over 16 KiB with 413 before reading it, and answers briefly', async () => {
    const fields = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, 1]));
    const response = await handler(
      apiEvent({ routeKey: 'POST /links', body: fields, apiKey: keys.acme }),
    );
    expect(response.statusCode).toBe(413);
    expect((response.body ?? '').length).toBeLessThan(300);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({
      error: { code: 'PayloadTooLargeError', message: 'the body must be at most 16384 bytes' },
    });
  });
});

describe('POST /links: a rate limit per customer', () => {
  it('answers 429 with Retry-After once a customer’s minute is used up, and only for it', async () => {
    let now = new Date('2026-11-22T10:00:45Z');
    const limited = createIssueLinkHandler(
      createIssueLinkDeps({
        config: { ...depsConfig(), linksPerMinute: 3 },
        s3,
        documents: table.documents,
        logger: silent(),
        now: () => now,
      }),
    );
    const get = { key: REPORT, method: 'GET' };
    for (let i = 0; i < 3; i++) expect((await issue(get, keys.acme, limited)).status).toBe(201);
    const refused = await issue(get, keys.acme, limited);
    expect(refused).toMatchObject({
      status: 429,
      headers: { 'retry-after': '15' },
      body: {
        error: {
          code: 'TooManyRequestsError',
          message: 'customer acme may be issued at most 3 links a minute',
        },
      },
    });
    expect(
      (await issue({ key: 'uploads/globex/a', method: 'PUT' }, keys.globex, limited)).status,
    ).toBe(201);
    now = new Date('2026-11-22T10:01:00Z');
    expect((await issue(get, keys.acme, limited)).status).toBe(201);
  });
});

describe('GET /links/{linkId}', () => {
  it('shows the caller its link with the usage so far, and nobody else', async () => {
    const { linkId } = issued(
      await issue({ key: REPORT, method: 'GET', filename: 'r.pdf', expiresIn: 120 }),
    );
    const own = await call(
      apiEvent({ routeKey: 'GET /links/{linkId}', pathParameters: { linkId }, apiKey: keys.acme }),
    );
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      linkId,
      customerId: 'acme',
      bucket: CONTENT,
      key: REPORT,
      method: 'GET',
      filename: 'r.pdf',
      issuedAt: expect.any(String) as string,
      expiresAt: expect.any(String) as string,
      usage: {
        downloadBytes: 0,
        downloadRequests: 0,
        uploadBytes: 0,
        uploadRequests: 0,
        errorRequests: 0,
        otherRequests: 0,
        firstAccess: null,
        lastAccess: null,
      },
    });
    expect(JSON.stringify(own.body)).not.toContain('X-Amz-Signature');
    const foreign = await call(
      apiEvent({
        routeKey: 'GET /links/{linkId}',
        pathParameters: { linkId },
        apiKey: keys.globex,
      }),
    );
    expect(foreign.status).toBe(404);
    const unknown = await call(
      apiEvent({
        routeKey: 'GET /links/{linkId}',
        pathParameters: { linkId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        apiKey: keys.acme,
      }),
    );
    expect(unknown.status).toBe(404);
    const malformed = await call(
      apiEvent({
        routeKey: 'GET /links/{linkId}',
        pathParameters: { linkId: 'x'.repeat(3000) },
        apiKey: keys.acme,
      }),
    );
    expect(malformed.status).toBe(404);
  });
});

describe('GET /usage', () => {
  // Read on 2026-12-02 at noon: November is still open, the 20th of November has settled.
  const readAt = () => createIssueLinkHandler(depsAt(() => new Date('2026-12-02T12:00:00Z')));
  const usageOf = (apiKey: string, period?: string) =>
    call(
      {
        ...apiEvent({ routeKey: 'GET /usage', apiKey }),
        ...(period === undefined ? {} : { queryStringParameters: { period } }),
      },
      readAt(),
    );

  it('shows the caller its own totals for a month or a day, zeros when it has none', async () => {
    await meterLogObject({
      store: deps.usage,
      logObject: 'logs-bucket/logs/2026-11-22-10-00-00-USAGE',
      open: () =>
        Promise.resolve([
          `${logLine({ customer: 'acme', bytes: 1234, time: '2026-11-21T10:00:00Z' })}\n`,
          `${logLine({ customer: 'globex', bytes: 99, time: '2026-11-21T10:00:00Z' })}\n`,
        ]),
      loadRules: () => Promise.resolve(testRules([customer('acme'), customer('globex')])),
      now: () => new Date(),
    });
    const month = await usageOf(keys.acme, '2026-11');
    expect(month).toMatchObject({ status: 200 });
    expect(month.body).toEqual({
      customerId: 'acme',
      period: '2026-11',
      status: 'open',
      settlesAt: '2026-12-03T00:00:00.000Z',
      downloadBytes: 1234,
      downloadRequests: 1,
      uploadBytes: 0,
      uploadRequests: 0,
      errorRequests: 0,
      otherRequests: 0,
    });
    expect((await usageOf(keys.acme, '2026-11-21')).body.downloadBytes).toBe(1234);
    expect((await usageOf(keys.acme, '2026-11-20')).body).toMatchObject({
      downloadBytes: 0,
      status: 'settled',
      settlesAt: '2026-11-23T00:00:00.000Z',
    });
    expect((await usageOf(keys.globex, '2026-11')).body.downloadBytes).toBe(99);
  });

  it.each([undefined, '2026-13', '2026-02-30', 'last month'])(
    'refuses the period %j: 400',
    async (period) => {
      const answer = await usageOf(keys.acme, period);
      expect(answer.status).toBe(400);
      expect((answer.body.error as { problems: unknown }).problems).toEqual([
        { field: 'period', problem: 'must be a month (2026-11) or a day (2026-11-22)' },
      ]);
    },
  );
});

describe('monthly byte budgets', () => {
  // A customer whose November budget is 1000 bytes, downloaded and uploaded together.
  const BUDGET = 1000;
  const november = () => new Date('2026-11-25T12:00:00Z');
  let budgetKey = '';

  beforeAll(async () => {
    await store.createCustomer(
      validateNewCustomer({
        customerId: 'budgeted',
        keyPrefixes: ['reports/'],
        monthlyByteBudget: BUDGET,
      }),
      NOW,
    );
    const key = generateApiKey();
    await store.addApiKey('budgeted', key, NOW);
    budgetKey = key.apiKey;
  });

  /** Meters one log object of `lines` into the table, as the metering Lambda would. */
  const meter = (name: string, lines: string[]) =>
    meterLogObject({
      store: deps.usage,
      logObject: `logs-bucket/logs/${name}`,
      open: () => Promise.resolve(lines.map((line) => `${line}\n`)),
      loadRules: () => Promise.resolve(testRules([customer('budgeted'), customer('acme')])),
      now: () => new Date(),
    });
  const at = (now: () => Date) => createIssueLinkHandler(depsAt(now));
  const linkFor = (using: ReturnType<typeof at>) =>
    issue({ key: REPORT, method: 'GET' }, budgetKey, using);
  const usageIn = async (period: string, now: () => Date) =>
    (
      await call(
        {
          ...apiEvent({ routeKey: 'GET /usage', apiKey: budgetKey }),
          queryStringParameters: { period },
        },
        at(now),
      )
    ).body;

  it("issues links until the month's metered bytes reach the budget, then refuses them: 403", async () => {
    await meter('2026-11-25-10-00-00-BUDGET1', [
      logLine({ customer: 'budgeted', bytes: 600, time: '2026-11-25T09:00:00Z' }),
      logLine({ customer: 'budgeted', bytes: 399, time: '2026-11-25T09:00:01Z' }),
    ]);
    expect((await linkFor(at(november))).status).toBe(201);
    expect((await usageIn('2026-11', november)).budget).toEqual({
      month: '2026-11',
      monthlyBytes: 1000,
      usedBytes: 999,
      remainingBytes: 1,
      reached: false,
    });

    await meter('2026-11-25-11-00-00-BUDGET2', [
      logLine({ customer: 'budgeted', bytes: 1, time: '2026-11-25T10:00:00Z' }),
    ]);
    const refused = await linkFor(at(november));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: {
        code: 'BudgetExhaustedError',
        message:
          'the monthly byte budget of 1000 bytes is reached for 2026-11 (1000 bytes metered so far): no new links until the month ends',
        requestId: expect.any(String),
      },
    });
    expect((await usageIn('2026-11', november)).budget).toMatchObject({
      usedBytes: 1000,
      remainingBytes: 0,
      reached: true,
    });
    // A day's usage is not measured against a monthly budget.
    expect(await usageIn('2026-11-25', november)).not.toHaveProperty('budget');
    // Another customer is not held to it.
    expect((await issue({ key: REPORT, method: 'GET' }, keys.acme, at(november))).status).toBe(201);
    // A new month starts afresh.
    expect((await linkFor(at(() => new Date('2026-12-01T00:00:00Z')))).status).toBe(201);
  });

  it('cannot be exhausted by requests that do not bill the customer: forged, foreign-signed, unsigned', async () => {
    await store.createCustomer(
      validateNewCustomer({
        customerId: 'victim',
        monthlyByteBudget: 100,
        keyPrefixes: ['reports/'],
      }),
      NOW,
    );
    const key = generateApiKey();
    await store.addApiKey('victim', key, NOW);
    const big = 10_000;
    const time = '2026-11-25T09:30:00Z';
    const forged = (overrides: Parameters<typeof makeRecord>[0]) =>
      formatAccessLogRecord(
        makeRecord({
          time,
          requestId: `FORGED${randomBytes(6).toString('hex')}`,
          bytesSent: big,
          requestUri: presignedUri('GET', '/issue-link-content/reports/x.pdf', 'victim'),
          ...overrides,
        }),
      );
    await meterLogObject({
      store: deps.usage,
      logObject: 'logs-bucket/logs/2026-11-25-10-00-00-ATTACK',
      open: () =>
        Promise.resolve(
          [
            // Presigned by someone else's credentials, naming the victim.
            forged({ requester: OPERATOR_ARN }),
            // Not signed at all.
            forged({ requester: null, authType: null, signatureVersion: null }),
            // Signed by the stack, but by header, not a link.
            forged({ authType: 'AuthHeader' }),
          ].map((line) => `${line}\n`),
        ),
      loadRules: () => Promise.resolve(testRules([customer('victim')])),
      now: () => new Date(),
    });
    const answer = await issue({ key: REPORT, method: 'GET' }, key.apiKey, at(november));
    expect(answer.status).toBe(201);
    const usage = await call(
      {
        ...apiEvent({ routeKey: 'GET /usage', apiKey: key.apiKey }),
        queryStringParameters: { period: '2026-11' },
      },
      at(november),
    );
    expect(usage.body).toMatchObject({
      downloadBytes: 0,
      budget: { usedBytes: 0, remainingBytes: 100, reached: false },
    });
  });

  it('is lifted or raised by the operator, and takes effect on the next link', async () => {
    const current = await store.getCustomer('budgeted');
    if (current === undefined) throw new Error('budgeted is missing');
    await store.updateCustomer({ ...current, monthlyByteBudget: 5000 });
    expect((await linkFor(at(november))).status).toBe(201);
    expect((await usageIn('2026-11', november)).budget).toMatchObject({
      monthlyBytes: 5000,
      usedBytes: 1000,
      reached: false,
    });
    await store.updateCustomer({ ...current, monthlyByteBudget: 10 });
    expect((await linkFor(at(november))).status).toBe(403);
    const { monthlyByteBudget: _, ...unlimited } = current;
    await store.updateCustomer(unlimited);
    expect((await store.getCustomer('budgeted'))?.monthlyByteBudget).toBeUndefined();
    expect((await linkFor(at(november))).status).toBe(201);
    expect(await usageIn('2026-11', november)).not.toHaveProperty('budget');
  });
});

describe('unexpected faults', () => {
  it('answers 500 with the request id and nothing of the fault', async () => {
    const broken = createIssueLinkHandler({
      ...deps,
      issuer: {
        issue: () => Promise.reject(new Error(`table ${table.tableName} exploded at line 42`)),
      },
    });
    const event = apiEvent({
      routeKey: 'POST /links',
      body: { key: REPORT, method: 'GET' },
      apiKey: keys.acme,
    });
    const answer = await call(event, broken);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({
      error: {
        code: 'InternalError',
        message: 'internal error',
        requestId: event.requestContext.requestId,
      },
    });
  });
});

describe('logging', () => {
  it('logs one line per request with its outcome, and never a key, a signature or a URL', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const secrets: string[] = [keys.acme, keys.revoked];
    try {
      const logged = createIssueLinkHandler({
        ...depsAt(() => new Date(), new Logger({ serviceName: 'issue-link', logLevel: 'DEBUG' })),
      });
      const get = issued(await issue({ key: REPORT, method: 'GET' }, keys.acme, logged));
      const post = issued(
        await issue({ key: 'uploads/acme/l.bin', method: 'POST', maxBytes: 9 }, keys.acme, logged),
      );
      secrets.push(
        get.url,
        new URL(get.url).searchParams.get('X-Amz-Signature') ?? 'missing',
        post.fields['X-Amz-Signature'] ?? 'missing',
        post.fields.Policy ?? 'missing',
      );
      await issue({ key: 'a/../b', method: 'GET' }, keys.acme, logged);
      await issue({ key: REPORT, method: 'GET' }, keys.revoked, logged);
      const faulty = createIssueLinkHandler({
        ...depsAt(() => new Date(), new Logger({ serviceName: 'issue-link', logLevel: 'DEBUG' })),
        issuer: { issue: () => Promise.reject(new Error(`no way: ${keys.acme.length}`)) },
      });
      await issue({ key: REPORT, method: 'GET' }, keys.acme, faulty);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const output = written.join('');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/X-Amz-Signature|X-Amz-Credential|umk_/);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.filter((l) => l.message === 'request').map((l) => [l.status, l.customerId]),
    ).toEqual([
      [201, 'acme'],
      [201, 'acme'],
      [400, 'acme'],
      [401, undefined],
      [500, 'acme'],
    ]);
    expect(lines.filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual([
      'unexpected fault',
    ]);
  });
});
