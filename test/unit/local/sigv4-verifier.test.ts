import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MiddlewareStack } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { type SignedRequest, verifySigV4Request } from '../../../local/s3/sigv4-verifier.ts';
import { amzDateToDate, readPresignedFixtures } from '../../helpers/presigned-fixtures.ts';

const SECRET = 'S3RVER';
const options = (now: Date, secret = SECRET) => ({
  secretFor: (id: string) => (id === 'S3RVER' ? secret : undefined),
  region: 'us-east-1',
  now,
});

describe('verifySigV4Request against AWS documentation', () => {
  // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", S3 API Reference.
  const awsExample: SignedRequest = {
    method: 'GET',
    url: '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    headers: { host: 'examplebucket.s3.amazonaws.com' },
  };
  const awsOptions = (now: string) => ({
    secretFor: (id: string) =>
      id === 'AKIAIOSFODNN7EXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' : undefined,
    region: 'us-east-1',
    now: new Date(now),
  });

  it("accepts AWS's example presigned URL within its 24 hours", () => {
    expect(verifySigV4Request(awsExample, awsOptions('2013-05-24T23:59:59Z'))).toEqual({
      ok: true,
      authType: 'QueryString',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    });
  });

  it("refuses AWS's example presigned URL a second after it expired", () => {
    expect(verifySigV4Request(awsExample, awsOptions('2013-05-25T00:00:01Z'))).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });
});

describe('verifySigV4Request on URLs from botocore and the AWS CLI', () => {
  const fixtures = readPresignedFixtures().filter((f) => f.method !== 'POST');
  const justAfter = amzDateToDate;

  it.each(fixtures.map((f) => [f.tool, f] as const))('accepts %s', (_, fixture) => {
    expect(verifySigV4Request(fixture, options(justAfter(fixture.signedAt)))).toMatchObject({
      ok: true,
      authType: 'QueryString',
    });
  });

  it('refuses the botocore URL once its x-customer-id is changed', () => {
    const [fixture] = fixtures;
    if (!fixture) throw new Error('no fixture');
    const tampered = {
      ...fixture,
      url: fixture.url.replace('x-customer-id=acme-corp', 'x-customer-id=other'),
    };
    expect(verifySigV4Request(tampered, options(justAfter(fixture.signedAt)))).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });

  it('refuses the botocore PUT URL with another content type than the signed one', () => {
    const fixture = fixtures.find((f) => f.method === 'PUT');
    if (!fixture) throw new Error('no PUT fixture');
    const other = { ...fixture, headers: { ...fixture.headers, 'content-type': 'text/html' } };
    expect(verifySigV4Request(other, options(justAfter(fixture.signedAt)))).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });
});

describe('verifySigV4Request on URLs from the JavaScript SDK', () => {
  const signedAt = new Date('2026-11-22T10:00:00Z');
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:4568',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
  });

  /** Adds x-customer-id / x-link-id in the build step, before signing, so they are signed. */
  function addTrackingParams<Input extends object, Output extends object>(
    stack: MiddlewareStack<Input, Output>,
  ): void {
    stack.add(
      (next) => (args) => {
        const request = args.request as { query: Record<string, string> };
        request.query['x-customer-id'] = 'acme-corp';
        request.query['x-link-id'] = 'Lk7_q2';
        return next(args);
      },
      { step: 'build', name: 'addTrackingParams' },
    );
  }

  /** Presigns a command with its tracking parameters. */
  async function presign(
    command: GetObjectCommand | PutObjectCommand,
    signableHeaders?: Set<string>,
  ): Promise<SignedRequest> {
    if (command instanceof GetObjectCommand) addTrackingParams(command.middlewareStack);
    else addTrackingParams(command.middlewareStack);
    const url = new URL(
      await getSignedUrl(client, command, {
        expiresIn: 900,
        signingDate: signedAt,
        ...(signableHeaders ? { signableHeaders } : {}),
      }),
    );
    return {
      method: command instanceof PutObjectCommand ? 'PUT' : 'GET',
      url: url.pathname + url.search,
      headers: { host: url.host },
    };
  }

  const get = () =>
    presign(new GetObjectCommand({ Bucket: 'content', Key: 'reports/2026 Q3 (final)+draft.pdf' }));
  const at = (secondsAfter: number) => new Date(signedAt.getTime() + secondsAfter * 1000);

  it('accepts a presigned GET whose tracking parameters are signed', async () => {
    const request = await get();
    expect(request.url).toContain('x-customer-id=acme-corp');
    expect(verifySigV4Request(request, options(at(1)))).toEqual({
      ok: true,
      authType: 'QueryString',
      accessKeyId: 'S3RVER',
    });
  });

  const tamperings: Array<[string, (r: SignedRequest) => SignedRequest]> = [
    [
      'a changed x-customer-id',
      (r) => ({ ...r, url: r.url.replace('x-customer-id=acme-corp', 'x-customer-id=globex') }),
    ],
    [
      'a removed x-customer-id',
      (r) => ({ ...r, url: r.url.replace(/&?x-customer-id=acme-corp/, '') }),
    ],
    ['an added x-customer-id', (r) => ({ ...r, url: `${r.url}&x-customer-id=globex` })],
    ['an added parameter', (r) => ({ ...r, url: `${r.url}&x-extra=1` })],
    [
      'a changed x-link-id',
      (r) => ({ ...r, url: r.url.replace('x-link-id=Lk7_q2', 'x-link-id=Lk7_q3') }),
    ],
    ['another key', (r) => ({ ...r, url: r.url.replace('final', 'draft') })],
    ['another bucket', (r) => ({ ...r, url: r.url.replace('/content/', '/other/') })],
    [
      'a longer X-Amz-Expires',
      (r) => ({ ...r, url: r.url.replace('X-Amz-Expires=900', 'X-Amz-Expires=901') }),
    ],
    ['another method', (r) => ({ ...r, method: 'DELETE' })],
    ['another host', (r) => ({ ...r, headers: { host: 'evil.example' } })],
  ];

  it.each(tamperings)('refuses the URL with %s as SignatureDoesNotMatch', async (_, tamper) => {
    expect(verifySigV4Request(tamper(await get()), options(at(1)))).toEqual({
      ok: false,
      authType: 'QueryString',
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: expect.stringContaining('does not match'),
    });
  });

  it('accepts the URL with parameter names percent-encoded differently, as S3 does', async () => {
    // The signature covers the decoded names, so metering must decode them too.
    const request = await get();
    const reencoded = {
      ...request,
      url: request.url.replace('x-customer-id=', 'x%2Dcustomer%2Did='),
    };
    expect(verifySigV4Request(reencoded, options(at(1))).ok).toBe(true);
  });

  it('refuses a URL signed with another secret', async () => {
    expect(verifySigV4Request(await get(), options(at(1), 'not-the-secret'))).toMatchObject({
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
  });

  it('refuses an unknown access key as InvalidAccessKeyId', async () => {
    const request = await get();
    const unknown = { ...request, url: request.url.replace('S3RVER%2F', 'AKIANOBODY%2F') };
    expect(verifySigV4Request(unknown, options(at(1)))).toMatchObject({
      ok: false,
      status: 403,
      code: 'InvalidAccessKeyId',
    });
  });

  it('accepts the URL until the last second of its lifetime and refuses it after', async () => {
    const request = await get();
    expect(verifySigV4Request(request, options(at(900))).ok).toBe(true);
    expect(verifySigV4Request(request, options(at(901)))).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });

  it('refuses a URL signed for the future', async () => {
    expect(verifySigV4Request(await get(), options(at(-3600)))).toMatchObject({
      ok: false,
      code: 'AccessDenied',
      message: 'Request is not valid yet',
    });
  });

  it('refuses a presigned request that carries unsigned x-amz- headers', async () => {
    const request = await get();
    const withHeader = {
      ...request,
      headers: { ...request.headers, 'x-amz-meta-owner': 'someone' },
    };
    expect(verifySigV4Request(withHeader, options(at(1)))).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: expect.stringContaining('x-amz-meta-owner'),
    });
  });

  it.each([
    [
      'X-Amz-Expires beyond 7 days',
      (u: string) => u.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801'),
    ],
    ['a missing X-Amz-Date', (u: string) => u.replace(/X-Amz-Date=\w+&?/, '')],
    ['another algorithm', (u: string) => u.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')],
    ['a credential scoped to another region', (u: string) => u.replace('us-east-1', 'eu-west-1')],
  ])('refuses %s as a malformed request (400)', async (_, change) => {
    const request = await get();
    expect(
      verifySigV4Request({ ...request, url: change(request.url) }, options(at(1))),
    ).toMatchObject({
      ok: false,
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });

  it('refuses Signature Version 2 query authentication', () => {
    const v2 = {
      method: 'GET',
      url: '/content/a.txt?AWSAccessKeyId=S3RVER&Expires=1900000000&Signature=abc',
      headers: { host: 'h' },
    };
    expect(verifySigV4Request(v2, options(at(1)))).toMatchObject({
      ok: false,
      status: 400,
      code: 'InvalidRequest',
    });
  });

  it('treats a request without any signature as anonymous', () => {
    expect(
      verifySigV4Request(
        { method: 'GET', url: '/content/a.txt', headers: { host: 'h' } },
        options(at(1)),
      ),
    ).toEqual({
      ok: true,
      authType: null,
      accessKeyId: null,
    });
  });

  it('accepts a presigned PUT only with the content type and length it was signed for', async () => {
    const request = await presign(
      new PutObjectCommand({
        Bucket: 'content',
        Key: 'uploads/acme-corp/a.csv',
        ContentType: 'text/csv',
        ContentLength: 42,
      }),
      // The presigner leaves Content-Length unsigned unless asked to sign it.
      new Set(['content-type', 'content-length']),
    );
    expect(request.url).toContain('X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost');
    const headers = { ...request.headers, 'content-type': 'text/csv', 'content-length': '42' };
    expect(verifySigV4Request({ ...request, headers }, options(at(1))).ok).toBe(true);
    expect(
      verifySigV4Request(
        { ...request, headers: { ...headers, 'content-length': '43' } },
        options(at(1)),
      ),
    ).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(
      verifySigV4Request(
        { ...request, headers: { ...headers, 'content-type': 'text/html' } },
        options(at(1)),
      ),
    ).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });
});
