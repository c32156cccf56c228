import { describe, expect, it } from 'vitest';
import {
  attributeRequest,
  emptyCounters,
  type UsageCounters,
} from '../../../shared/usage/index.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';

const counters = (changes: Partial<UsageCounters>) => ({ ...emptyCounters(), ...changes });
const PATH = '/usage-meter-content/reports/q3.pdf';

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
    expect(attributeRequest(makeRecord(changes))?.counters).toEqual(expected);
  });

  it('bills the signed customer and link, in the UTC day and month of the request time', () => {
    expect(attributeRequest(makeRecord({ time: '2026-10-31T23:59:59Z' }))).toMatchObject({
      customerId: 'acme',
      linkId: 'Lk1',
      day: '2026-10-31',
      month: '2026-10',
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
        'x-customer-id=acme&x-customer-id=globex',
      ),
    ],
    ['no signature (not a presigned URL)', `GET ${PATH}?x-customer-id=acme HTTP/1.1`],
  ])('leaves a request with %s untracked', (_, requestUri) => {
    expect(attributeRequest(makeRecord({ requestUri }))).toMatchObject({
      customerId: null,
      linkId: null,
    });
  });

  it('still bills a link whose parameter names were percent-encoded (S3 accepts such a URL)', () => {
    const reencoded = presignedUri('GET', PATH, 'acme', 'Lk1')
      .replace('x-customer-id=', 'x%2Dcustomer%2Did=')
      .replace('X-Amz-Signature=', 'X-Amz%2DSignature=');
    expect(attributeRequest(makeRecord({ requestUri: reencoded }))).toMatchObject({
      customerId: 'acme',
      linkId: 'Lk1',
    });
  });

  it('leaves a request without a Request-URI untracked', () => {
    expect(attributeRequest(makeRecord({ requestUri: null }))?.customerId).toBeNull();
  });

  it('keeps the customer but not a malformed link id', () => {
    expect(
      attributeRequest(makeRecord({ requestUri: presignedUri('GET', PATH, 'acme', 'bad%20id') })),
    ).toMatchObject({
      customerId: 'acme',
      linkId: null,
    });
  });

  it('reads a customer id with dots, dashes and underscores', () => {
    expect(
      attributeRequest(makeRecord({ requestUri: presignedUri('GET', PATH, 'Acme.EU_2-x') }))
        ?.customerId,
    ).toBe('Acme.EU_2-x');
  });

  it('cannot place a record without a request time', () => {
    expect(attributeRequest(makeRecord({ time: null }))).toBeUndefined();
  });
});
