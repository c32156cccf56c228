import { describe, expect, it } from 'vitest';
import {
  attributeRequest,
  emptyCounters,
  type UsageCounters,
} from '../../../shared/usage/index.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';
import {
  customer,
  OPERATOR_ARN,
  SIGNER_ROLE,
  SIGNER_SESSION,
  testRules,
} from '../../helpers/rules.ts';
import { createAttributionRules } from '../../../shared/usage/attribution-rules.ts';

const counters = (changes: Partial<UsageCounters>) => ({ ...emptyCounters(), ...changes });
const PATH = '/usage-meter-content/reports/q3.pdf';

const attribute = (record: Parameters<typeof attributeRequest>[0]) =>
  attributeRequest(record, testRules());

describe('attributeRequest', () => {
  it.each([
    [
      'a 200 GET: its Bytes Sent as a download',
      { httpStatus: 200, bytesSent: 5000, objectSize: 9000 },
      counters({ downloadBytes: 5000, downloadRequests: 1 }),
    ],
    [
      'a 206 range GET: the bytes of the range, not the object size',
      { httpStatus: 206, bytesSent: 1024, objectSize: 10679416372 },
      counters({ downloadBytes: 1024, downloadRequests: 1 }),
    ],
    [
      'a 200 GET that sent nothing (-): a download of 0 bytes',
      { httpStatus: 200, bytesSent: null, objectSize: 0 },
      counters({ downloadRequests: 1 }),
    ],
    [
      'a 304: another request',
      { httpStatus: 304, bytesSent: null },
      counters({ otherRequests: 1 }),
    ],
    [
      'a 403 (tampered or expired link): an error',
      { httpStatus: 403, errorCode: 'AccessDenied', bytesSent: 243 },
      counters({ errorRequests: 1 }),
    ],
    [
      'a 404: an error',
      { httpStatus: 404, errorCode: 'NoSuchKey' },
      counters({ errorRequests: 1 }),
    ],
    [
      'a HEAD: another request',
      { operation: 'REST.HEAD.OBJECT', bytesSent: null },
      counters({ otherRequests: 1 }),
    ],
    [
      'a PUT: its Object Size as an upload',
      { operation: 'REST.PUT.OBJECT', bytesSent: null, objectSize: 4406583 },
      counters({ uploadBytes: 4406583, uploadRequests: 1 }),
    ],
    [
      'a form POST: an upload',
      { operation: 'REST.POST.OBJECT', httpStatus: 204, bytesSent: null, objectSize: 77 },
      counters({ uploadBytes: 77, uploadRequests: 1 }),
    ],
    [
      'an upload part: an upload',
      { operation: 'REST.PUT.PART', bytesSent: null, objectSize: 8388608 },
      counters({ uploadBytes: 8388608, uploadRequests: 1 }),
    ],
    [
      'a multipart completion: not an upload again',
      { operation: 'REST.POST.UPLOAD', objectSize: 8388608 },
      counters({ otherRequests: 1 }),
    ],
    [
      'a failed PUT: an error, not an upload',
      { operation: 'REST.PUT.OBJECT', httpStatus: 400, objectSize: 10 },
      counters({ errorRequests: 1 }),
    ],
    [
      'a record with no status: another request',
      { operation: 'REST.COPY.OBJECT_GET', httpStatus: null },
      counters({ otherRequests: 1 }),
    ],
  ])('counts %s', (_, changes, expected) => {
    expect(attribute(makeRecord(changes))?.counters).toEqual(expected);
  });

  it('bills the signed customer and link, in the UTC day of the request time', () => {
    expect(attribute(makeRecord({ time: '2026-10-31T23:59:59Z' }))).toMatchObject({
      customerId: 'acme',
      linkId: 'Lk1',
      untracked: null,
      day: '2026-10-31',
    });
  });

  it.each([
    ['no tracking parameter', presignedUri('GET', PATH, null)],
    ['a customer id that is not well-formed', presignedUri('GET', PATH, '-bad')],
    ['a customer id longer than 64 characters', presignedUri('GET', PATH, 'a'.repeat(65))],
    [
      'two customer ids',
      presignedUri('GET', PATH, 'acme').replace(
        'x-customer-id=acme',
        'x-customer-id=acme&x-customer-id=bob',
      ),
    ],
    [
      'a second customer id whose name starts encoded',
      presignedUri('GET', PATH, 'acme').replace(
        'x-customer-id=acme',
        'x-customer-id=acme&%78-customer-id=bob',
      ),
    ],
    ['an empty customer id', presignedUri('GET', PATH, '')],
  ])('leaves a signed request with %s untracked as no-customer', (_, requestUri) => {
    expect(attribute(makeRecord({ requestUri }))).toMatchObject({
      customerId: null,
      linkId: null,
      untracked: 'no-customer',
    });
  });

  it('still bills a link whose parameter names were percent-encoded (S3 accepts such a URL)', () => {
    const reencoded = presignedUri('GET', PATH, 'acme', 'Lk1')
      .replace('x-customer-id=', 'x%2Dcustomer%2Did=')
      .replace('X-Amz-Signature=', 'X-Amz%2DSignature=');
    expect(attribute(makeRecord({ requestUri: reencoded }))).toMatchObject({
      customerId: 'acme',
      linkId: 'Lk1',
    });
  });

  it('leaves a request without a Request-URI untracked', () => {
    expect(attribute(makeRecord({ requestUri: null }))).toMatchObject({
      customerId: null,
      untracked: 'no-customer',
    });
  });

  it('keeps the customer but not a malformed link id', () => {
    expect(
      attribute(makeRecord({ requestUri: presignedUri('GET', PATH, 'acme', 'bad%20id') })),
    ).toMatchObject({
      customerId: 'acme',
      linkId: null,
    });
  });

  it('reads a customer id with dots, dashes and underscores', () => {
    const rules = testRules([customer('Acme.EU_2-x')]);
    const record = makeRecord({ requestUri: presignedUri('GET', PATH, 'Acme.EU_2-x') });
    expect(attributeRequest(record, rules)?.customerId).toBe('Acme.EU_2-x');
  });

  it('cannot place a record without a request time', () => {
    expect(attribute(makeRecord({ time: null }))).toBeUndefined();
  });
});

describe('the trust rule: only the stack’s own presigned requests bill a customer', () => {
  const signed = presignedUri('GET', PATH, 'bob', 'Lk1');
  it.each([
    [
      'an anonymous request that names a customer',
      {
        requester: null,
        authType: null,
        signatureVersion: null,
        requestUri: `GET ${PATH}?x-customer-id=bob HTTP/1.1`,
        httpStatus: 403,
        errorCode: 'AccessDenied',
      },
      'unsigned',
    ],
    [
      'a junk signature S3 refused',
      {
        requester: null,
        httpStatus: 403,
        errorCode: 'SignatureDoesNotMatch',
        authType: null,
        signatureVersion: null,
      },
      'auth-failed',
    ],
    [
      'an expired link (S3 answers AccessDenied and logs no requester)',
      {
        requester: null,
        httpStatus: 403,
        errorCode: 'AccessDenied',
        authType: null,
        signatureVersion: null,
      },
      'auth-failed',
    ],
    [
      'a URL presigned by an operator of the same account',
      { requester: OPERATOR_ARN },
      'foreign-signer',
    ],
    [
      'a URL presigned by another role',
      { requester: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/build-17' },
      'foreign-signer',
    ],
    [
      'a role whose name extends the signer role’s name',
      { requester: `${SIGNER_ROLE}-evil/session` },
      'foreign-signer',
    ],
    ['the bare role ARN with no session', { requester: SIGNER_ROLE }, 'foreign-signer'],
    [
      'the same role in another account',
      { requester: SIGNER_SESSION.replace('123456789012', '210987654321') },
      'foreign-signer',
    ],
    [
      'our signer with an Authorization header (its own HeadObject)',
      { authType: 'AuthHeader', requestUri: `HEAD ${PATH}?x-customer-id=bob HTTP/1.1` },
      'not-presigned',
    ],
    ['our signer with SigV2', { signatureVersion: 'SigV2' }, 'not-presigned'],
    [
      'a customer that does not exist',
      { requestUri: presignedUri('GET', PATH, 'ghost', 'Lk1') },
      'unknown-customer',
    ],
  ] as const)('bills nobody for %s', (_, changes, reason) => {
    const attribution = attribute(makeRecord({ requestUri: signed, ...changes }));
    expect(attribution).toMatchObject({ customerId: null, linkId: null, untracked: reason });
  });

  it('counts a refused request as an error of nobody, never of the customer it names', () => {
    const attribution = attribute(
      makeRecord({ requester: null, httpStatus: 403, errorCode: 'SignatureDoesNotMatch' }),
    );
    expect(attribution?.customerId).toBeNull();
    expect(attribution?.counters.errorRequests).toBe(1);
  });

  it('bills any session of the signer role, and a configured signing user exactly', () => {
    const rules = createAttributionRules({
      signers: [SIGNER_ROLE, 'arn:aws:iam::123456789012:user/link-signer'],
      customers: [customer('bob')],
    });
    const record = (requester: string) => makeRecord({ requester, requestUri: signed });
    expect(attributeRequest(record(`${SIGNER_ROLE}/another-instance`), rules)?.customerId).toBe(
      'bob',
    );
    expect(
      attributeRequest(record('arn:aws:iam::123456789012:user/link-signer'), rules)?.customerId,
    ).toBe('bob');
    expect(
      attributeRequest(record('arn:aws:iam::123456789012:user/link-signer2'), rules)?.untracked,
    ).toBe('foreign-signer');
  });
});
