import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createLinkSigner, SIGNING_CLIENT_CONFIG } from '../../../shared/links/link-signer.ts';
import { amzDateToDate, readPresignedFixtures } from '../../helpers/presigned-fixtures.ts';

const client = new S3Client({
  ...SIGNING_CLIENT_CONFIG,
  endpoint: 'http://127.0.0.1:4568',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const signer = createLinkSigner(client);
const fixtures = readPresignedFixtures();

/** The query as S3 canonicalises it: decoded pairs, sorted. */
function canonicalQuery(url: string): string[] {
  return [...new URL(url, 'http://127.0.0.1:4568').searchParams]
    .map(([name, value]) => `${name}=${value}`)
    .sort();
}

function fixture(tool: string) {
  const found = fixtures.find((f) => f.tool === tool);
  if (found === undefined) throw new Error(`no fixture ${tool}`);
  return found;
}

describe('links signed here and by botocore for the same request', () => {
  it('carry the same canonical query and signature for a GET', async () => {
    const boto = fixture(
      'botocore generate_presigned_url get_object signing what the JS SDK signs',
    );
    const ours = await signer.signGet({
      bucket: 'usage-meter-content',
      key: 'reports/2026 Q3 (final).pdf',
      customerId: 'acme-corp',
      linkId: 'Lk7_q2',
      expiresIn: 900,
      signingDate: amzDateToDate(boto.signedAt),
    });
    // X-Amz-Signature is part of the query: equal queries mean both signed the tracking
    // parameters into the same canonical request.
    expect(canonicalQuery(ours)).toEqual(canonicalQuery(boto.url));
    expect(canonicalQuery(ours)).toContain('x-customer-id=acme-corp');
  });

  it('carry the same canonical query and signature for a PUT with a signed content type', async () => {
    const boto = fixture(
      'botocore generate_presigned_url put_object signing what the JS SDK signs',
    );
    const ours = await signer.signPut({
      bucket: 'usage-meter-content',
      key: 'uploads/acme-corp/report 1.csv',
      customerId: 'acme-corp',
      linkId: 'Lk7_q2',
      expiresIn: 300,
      contentType: 'text/csv',
      signingDate: amzDateToDate(boto.signedAt),
    });
    expect(canonicalQuery(ours)).toEqual(canonicalQuery(boto.url));
  });
});

describe('upload links', () => {
  it('refuse a client that would sign the checksum of an empty body into a PUT link', async () => {
    const defaults = createLinkSigner(
      new S3Client({
        endpoint: 'http://127.0.0.1:4568',
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );
    await expect(
      defaults.signPut({
        bucket: 'b',
        key: 'uploads/acme/a',
        customerId: 'acme',
        linkId: 'L',
        expiresIn: 60,
      }),
    ).rejects.toThrow(/create it with SIGNING_CLIENT_CONFIG/);
  });
});

describe('POST forms', () => {
  it('limit the size, pin the key and carry the link in signed metadata', async () => {
    const before = Date.now();
    const post = await signer.signPost({
      bucket: 'usage-meter-content',
      key: 'uploads/acme/a.jpg',
      customerId: 'acme',
      linkId: 'Lk1',
      expiresIn: 600,
      maxBytes: 2048,
      contentType: 'image/jpeg',
    });
    expect(post.url).toBe('http://127.0.0.1:4568/usage-meter-content');
    const policy = JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString()) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 0, 2048],
        { key: 'uploads/acme/a.jpg' },
        { bucket: 'usage-meter-content' },
        { 'x-amz-meta-customer-id': 'acme' },
        { 'x-amz-meta-link-id': 'Lk1' },
        { 'Content-Type': 'image/jpeg' },
      ]),
    );
    expect(post.expiresAt.toISOString()).toBe(policy.expiration.replace('Z', '.000Z'));
    const lifetime = post.expiresAt.getTime() - before;
    expect(lifetime).toBeGreaterThan(598_000);
    expect(lifetime).toBeLessThanOrEqual(600_000);
  });
});
