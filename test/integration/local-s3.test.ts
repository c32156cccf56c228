import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_SIGNER_IDENTITY, OPERATOR_ARN } from '../../local/identities.ts';
import { LOCAL_OWNER_ID, type LocalStack } from '../../local/local-stack.ts';
import { splitEmulatorLine } from '../helpers/emulator-log.ts';
import { s3ClientFor, startTestStack } from '../helpers/local-stack.ts';

const CONTENT = 'content';
const LOGS = 'access-logs';
const PREFIX = 'server logs/';
const OBJECT_KEY = 'reports/2026 Q3.bin';
const BODY = randomBytes(100_000);

let stack: LocalStack;
let s3: S3Client;
const events: S3Event[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    buckets: [CONTENT, LOGS],
    logging: [{ sourceBucket: CONTENT, targetBucket: LOGS, targetPrefix: PREFIX }],
    notifications: [{ bucket: LOGS, prefix: PREFIX, handler: (event) => void events.push(event) }],
  });
  s3 = s3ClientFor(stack);
  await s3.send(new PutObjectCommand({ Bucket: CONTENT, Key: OBJECT_KEY, Body: BODY }));
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

const presignGet = (
  key = OBJECT_KEY,
  client: S3Client = s3,
  options: { expiresIn?: number; signingDate?: Date } = {},
) =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: CONTENT, Key: key }), {
    expiresIn: 900,
    ...options,
  });

/** Delivers the queued logs and returns the records written since, split into fields. */
async function deliveredRecords(): Promise<Array<Record<string, string>>> {
  const keys = await stack.s3.deliverLogs();
  const lines: string[] = [];
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: LOGS, Key: key }));
    lines.push(...((await object.Body?.transformToString()) ?? '').split('\n').filter(Boolean));
  }
  return lines.map(splitEmulatorLine);
}

const errorCode = async (response: Response) =>
  /<Code>(.*?)<\/Code>/.exec(await response.text())?.[1];

describe('presigned URL verification on the local S3 server', () => {
  it('serves a valid presigned GET with the exact bytes of the object', async () => {
    const response = await fetch(await presignGet());
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(BODY)).toBe(true);
  });

  it('serves a range of a presigned GET as 206 with exactly the bytes asked for', async () => {
    const response = await fetch(await presignGet(), { headers: { range: 'bytes=1000-1999' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 1000-1999/${BODY.length}`);
    expect(Buffer.from(await response.arrayBuffer()).equals(BODY.subarray(1000, 2000))).toBe(true);
  });

  it.each([
    ['a changed parameter', (u: URL) => u.searchParams.set('x-id', 'PutObject')],
    ['a removed parameter', (u: URL) => u.searchParams.delete('x-id')],
    ['an added parameter', (u: URL) => u.searchParams.set('x-customer-id', 'someone-else')],
    [
      'another key',
      (u: URL) => {
        u.pathname = u.pathname.replace('Q3', 'Q4');
      },
    ],
  ])('refuses a presigned URL with %s: 403 SignatureDoesNotMatch', async (_, tamper) => {
    const url = new URL(await presignGet());
    tamper(url);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned GET used with another method', async () => {
    const response = await fetch(await presignGet(), { method: 'DELETE' });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    const stillThere = await s3.send(new HeadObjectCommand({ Bucket: CONTENT, Key: OBJECT_KEY }));
    expect(stillThere.ContentLength).toBe(BODY.length);
  });

  it('refuses a URL signed with the wrong secret', async () => {
    const impostor = new S3Client({
      endpoint: stack.endpoints.s3,
      region: stack.region,
      forcePathStyle: true,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    const response = await fetch(await presignGet(OBJECT_KEY, impostor));
    impostor.destroy();
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired presigned URL: 403 AccessDenied "Request has expired"', async () => {
    const url = await presignGet(OBJECT_KEY, s3, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('<Message>Request has expired</Message>');
  });

  it('refuses an SDK request signed in the Authorization header with the wrong secret', async () => {
    const impostor = new S3Client({
      endpoint: stack.endpoints.s3,
      region: stack.region,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    await expect(
      impostor.send(new GetObjectCommand({ Bucket: CONTENT, Key: OBJECT_KEY })),
    ).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    impostor.destroy();
  });
});

describe('server access logging emulator', () => {
  it('records each request in the 27-field format with the right value in every field', async () => {
    await stack.s3.deliverLogs(); // start from an empty queue
    const getUrl = await presignGet();
    const full = await fetch(getUrl, {
      headers: { 'user-agent': 'curl/8.5.0', referer: 'https://app.example/files' },
    });
    await full.arrayBuffer();
    const range = await fetch(getUrl, { headers: { range: 'bytes=0-4095' } });
    await range.arrayBuffer();
    const missing = await fetch(await presignGet('no/such key.txt'));
    await missing.text();
    const tampered = await fetch(`${getUrl}&x-customer-id=other`);
    await tampered.text();
    await s3.send(new HeadObjectCommand({ Bucket: CONTENT, Key: OBJECT_KEY }));
    const putUrl = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: CONTENT, Key: 'uploads/u 1.csv' }),
      { expiresIn: 300 },
    );
    expect((await fetch(putUrl, { method: 'PUT', body: 'a,b\n1,2\n' })).status).toBe(200);

    const records = await deliveredRecords();
    expect(records.map((r) => [r.operation, r.httpStatus])).toEqual([
      ['REST.GET.OBJECT', '200'],
      ['REST.GET.OBJECT', '206'],
      ['REST.GET.OBJECT', '404'],
      ['REST.GET.OBJECT', '403'],
      ['REST.HEAD.OBJECT', '200'],
      ['REST.PUT.OBJECT', '200'],
    ]);
    const [get200, get206, get404, get403, head, put] = records;
    const getUri = `GET ${new URL(getUrl).pathname}${new URL(getUrl).search} HTTP/1.1`;
    const host = new URL(stack.endpoints.s3).host;
    expect(get200).toEqual({
      bucketOwner: LOCAL_OWNER_ID,
      bucket: CONTENT,
      time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      remoteIp: '127.0.0.1',
      requester: OPERATOR_ARN,
      requestId: expect.stringMatching(/^[0-9A-F]{16}$/),
      operation: 'REST.GET.OBJECT',
      key: 'reports/2026+Q3.bin',
      requestUri: getUri,
      httpStatus: '200',
      errorCode: '-',
      bytesSent: String(BODY.length),
      objectSize: String(BODY.length),
      totalTime: expect.stringMatching(/^\d+$/),
      turnAroundTime: expect.stringMatching(/^\d+$/),
      referrer: 'https://app.example/files',
      userAgent: 'curl/8.5.0',
      versionId: '-',
      hostId: expect.stringMatching(/^[A-Za-z0-9+/]{76}$/),
      signatureVersion: 'SigV4',
      cipherSuite: '-',
      authType: 'QueryString',
      hostHeader: host,
      tlsVersion: '-',
      accessPointArn: '-',
      aclRequired: '-',
      sourceRegion: 'us-east-1',
    });
    expect(Number(get200?.turnAroundTime)).toBeLessThanOrEqual(Number(get200?.totalTime));
    // A range: the bytes actually sent, and the whole object's size.
    expect([get206?.bytesSent, get206?.objectSize]).toEqual(['4096', String(BODY.length)]);
    expect([get404?.errorCode, get404?.key, get404?.objectSize]).toEqual([
      'NoSuchKey',
      'no/such+key.txt',
      '-',
    ]);
    expect(Number(get404?.bytesSent)).toBeGreaterThan(0); // the XML error body
    expect([get403?.errorCode, get403?.requester, get403?.requestUri]).toEqual([
      'SignatureDoesNotMatch',
      '-',
      `${getUri.replace(' HTTP/1.1', '')}&x-customer-id=other HTTP/1.1`,
    ]);
    expect([head?.bytesSent, head?.objectSize, head?.authType, head?.requestUri]).toEqual([
      '-',
      String(BODY.length),
      'AuthHeader',
      `HEAD /${CONTENT}/reports/2026%20Q3.bin HTTP/1.1`,
    ]);
    expect([put?.key, put?.bytesSent, put?.objectSize, put?.authType]).toEqual([
      'uploads/u+1.csv',
      '-',
      '8',
      'QueryString',
    ]);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(records.length);
  });

  it('delivers log objects under the prefix with an S3-shaped event whose key is URL-encoded', async () => {
    events.length = 0;
    await (await fetch(await presignGet())).arrayBuffer();
    const [key, ...more] = await stack.s3.deliverLogs();
    expect(more).toEqual([]);
    expect(key).toMatch(/^server logs\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/);
    expect(events).toHaveLength(1);
    const [record] = events[0]?.Records ?? [];
    const stored = await s3.send(new GetObjectCommand({ Bucket: LOGS, Key: key }));
    const size = (await stored.Body?.transformToByteArray())?.byteLength;
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
      s3: {
        bucket: { name: LOGS, arn: `arn:aws:s3:::${LOGS}` },
        object: {
          key: key?.replace(' ', '+'),
          size,
          eTag: expect.stringMatching(/^[0-9a-f]{32}$/),
        },
      },
    });
    expect(decodeURIComponent(record?.s3.object.key.replace(/\+/g, ' ') ?? '')).toBe(key);
  });

  it('delivers logs by itself every interval', async () => {
    const timed = await startTestStack({
      buckets: ['timed', 'timed-logs'],
      logging: [{ sourceBucket: 'timed', targetBucket: 'timed-logs', targetPrefix: 'logs/' }],
      notifications: [{ bucket: 'timed-logs', handler: (event) => void delivered.push(event) }],
      logDeliveryIntervalMs: 200,
    });
    const delivered: S3Event[] = [];
    try {
      const client = s3ClientFor(timed);
      await client.send(new PutObjectCommand({ Bucket: 'timed', Key: 'k', Body: 'v' }));
      client.destroy();
      for (let i = 0; i < 50 && delivered.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(delivered[0]?.Records[0]?.s3.object.key).toMatch(/^logs\//);
    } finally {
      await timed.stop();
    }
  });

  it('names the multipart upload steps and reports the completed object once', async () => {
    const createdInContent: S3Event[] = [];
    const multi = await startTestStack({
      buckets: ['multi', 'multi-logs'],
      logging: [{ sourceBucket: 'multi', targetBucket: 'multi-logs', targetPrefix: 'logs/' }],
      notifications: [{ bucket: 'multi', handler: (event) => void createdInContent.push(event) }],
    });
    const client = s3ClientFor(multi);
    try {
      const part = randomBytes(70_000);
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin' }),
      );
      const { ETag } = await client.send(
        new UploadPartCommand({
          Bucket: 'multi',
          Key: 'big.bin',
          UploadId,
          PartNumber: 1,
          Body: part,
        }),
      );
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'multi',
          Key: 'big.bin',
          UploadId,
          MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
        }),
      );
      const [logKey] = await multi.s3.deliverLogs();
      const log = await client.send(new GetObjectCommand({ Bucket: 'multi-logs', Key: logKey }));
      const records = ((await log.Body?.transformToString()) ?? '')
        .trim()
        .split('\n')
        .map(splitEmulatorLine);
      expect(records.map((r) => [r.operation, r.httpStatus, r.objectSize])).toEqual([
        ['REST.POST.UPLOADS', '200', '-'],
        ['REST.PUT.PART', '200', String(part.length)],
        ['REST.POST.UPLOAD', '200', String(part.length)],
      ]);
      expect(
        createdInContent.map((e) => [e.Records[0]?.eventName, e.Records[0]?.s3.object.key]),
      ).toEqual([['ObjectCreated:CompleteMultipartUpload', 'big.bin']]);
    } finally {
      client.destroy();
      await multi.stop();
    }
  });
});

describe('identities and private buckets, as in AWS', () => {
  it('logs each identity as S3 does: the operator’s user, the link API’s role session, - for anonymous and refused requests', async () => {
    await stack.s3.deliverLogs();
    const signer = s3ClientFor(stack, 'signer');
    const bySigner = await presignGet(OBJECT_KEY, signer);
    signer.destroy();
    await (await fetch(await presignGet())).arrayBuffer();
    await (await fetch(bySigner)).arrayBuffer();
    const objectUrl = `${stack.endpoints.s3}/${CONTENT}/${encodeURIComponent(OBJECT_KEY)}`;
    const anonymous = await fetch(`${objectUrl}?x-customer-id=bob`);
    expect([anonymous.status, await errorCode(anonymous)]).toEqual([403, 'AccessDenied']);
    const junk = new URL(bySigner);
    junk.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const forged = await fetch(junk);
    expect([forged.status, await errorCode(forged)]).toEqual([403, 'SignatureDoesNotMatch']);

    const records = await deliveredRecords();
    expect(records.map((r) => [r.requester, r.httpStatus, r.authType])).toEqual([
      [OPERATOR_ARN, '200', 'QueryString'],
      [LINK_SIGNER_IDENTITY.arn, '200', 'QueryString'],
      ['-', '403', '-'],
      ['-', '403', 'QueryString'],
    ]);
  });

  it('refuses anonymous requests to every bucket, reads included', async () => {
    for (const url of [
      `${stack.endpoints.s3}/${CONTENT}/${encodeURIComponent(OBJECT_KEY)}`,
      `${stack.endpoints.s3}/${CONTENT}`,
      `${stack.endpoints.s3}/${LOGS}`,
    ]) {
      const response = await fetch(url);
      expect([url, response.status, await errorCode(response)]).toEqual([url, 403, 'AccessDenied']);
    }
  });

  it('lets nobody but the logging emulator write the log bucket, not even the operator', async () => {
    const forgedKey = `${PREFIX}2026-11-22-10-00-00-FORGED0000000000`;
    const anonymous = await fetch(
      `${stack.endpoints.s3}/${LOGS}/${encodeURIComponent(forgedKey)}`,
      { method: 'PUT', body: 'forged log line' },
    );
    expect([anonymous.status, await errorCode(anonymous)]).toEqual([403, 'AccessDenied']);
    for (const client of [s3, s3ClientFor(stack, 'signer')]) {
      await expect(
        client.send(new PutObjectCommand({ Bucket: LOGS, Key: forgedKey, Body: 'forged' })),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
    }
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: LOGS, Key: forgedKey })),
    ).rejects.toThrow();
    // What it delivers itself still arrives.
    await (await fetch(await presignGet())).arrayBuffer();
    expect(await stack.s3.deliverLogs()).toHaveLength(1);
  });
});
