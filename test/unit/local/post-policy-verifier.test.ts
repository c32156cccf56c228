import { describe, expect, it } from 'vitest';
import { type PostForm, verifyPostPolicy } from '../../../local/s3/post-policy-verifier.ts';
import { amzDateToDate, readPresignedFixtures } from '../../helpers/presigned-fixtures.ts';

const boto = readPresignedFixtures().find((f) => f.method === 'POST');
if (boto?.fields === undefined) throw new Error('no botocore POST fixture');
const FIELDS = boto.fields;
const SIGNED_AT = amzDateToDate(boto.signedAt);

const options = (overrides: { now?: Date; secret?: string } = {}) => ({
  bucket: 'usage-meter-content',
  secretFor: (id: string) => (id === 'S3RVER' ? (overrides.secret ?? 'S3RVER') : undefined),
  region: 'us-east-1',
  now: overrides.now ?? SIGNED_AT,
});

const form = (fields: Record<string, string> = FIELDS, fileSize = 500): PostForm => ({
  fields: new Map(Object.entries(fields)),
  fileSize,
});

describe('verifyPostPolicy on a form made by botocore', () => {
  it('accepts the form as signed, with a file within content-length-range', () => {
    expect(verifyPostPolicy(form(), options())).toEqual({ ok: true, accessKeyId: 'S3RVER' });
    expect(verifyPostPolicy(form(FIELDS, 1000), options())).toMatchObject({ ok: true });
  });

  it('accepts field names in any case and x-ignore- fields', () => {
    const upper = Object.fromEntries(
      Object.entries(FIELDS).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect(verifyPostPolicy(form({ ...upper, 'x-ignore-note': 'hi' }), options())).toMatchObject({
      ok: true,
    });
  });

  it.each([
    [
      'a file over the maximum',
      form(FIELDS, 1001),
      options(),
      { status: 400, code: 'EntityTooLarge' },
    ],
    [
      'an edited key',
      form({ ...FIELDS, key: 'uploads/other/photo.jpg' }),
      options(),
      {
        status: 403,
        code: 'AccessDenied',
        message:
          'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/acme-corp/photo.jpg"]',
      },
    ],
    [
      'another content type',
      form({ ...FIELDS, 'Content-Type': 'text/html' }),
      options(),
      { status: 403, code: 'AccessDenied' },
    ],
    [
      'a field the policy does not mention',
      form({ ...FIELDS, 'x-amz-meta-extra': '1' }),
      options(),
      {
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Extra input fields: x-amz-meta-extra',
      },
    ],
    [
      'an expired policy',
      form(),
      options({ now: new Date(SIGNED_AT.getTime() + 601_000) }),
      {
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      },
    ],
    [
      'a signature by another secret',
      form(),
      options({ secret: 'other' }),
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'an edited policy',
      form({
        ...FIELDS,
        policy: Buffer.from('{"expiration":"2099-01-01T00:00:00Z","conditions":[]}').toString(
          'base64',
        ),
      }),
      options(),
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'a form with no policy',
      form({ key: 'uploads/acme-corp/photo.jpg' }),
      options(),
      { status: 403, code: 'AccessDenied', message: 'Access Denied' },
    ],
  ])('refuses %s', (_, submitted, verifyOptions, refusal) => {
    expect(verifyPostPolicy(submitted, verifyOptions)).toMatchObject({ ok: false, ...refusal });
  });
});
