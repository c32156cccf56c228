import { describe, expect, it } from 'vitest';
import { createUploadOwnerLookup } from '../../../shared/customers/upload-owner.ts';
import { attributeRequest, emptyCounters, UsageAggregator } from '../../../shared/usage/index.ts';
import { makeRecord } from '../../helpers/records.ts';

const formPost = (key: string, httpStatus = 204) =>
  makeRecord({
    operation: 'REST.POST.OBJECT',
    key,
    requestUri: 'POST /usage-meter-content HTTP/1.1',
    httpStatus,
    errorCode: httpStatus >= 400 ? 'EntityTooLarge' : null,
    bytesSent: null,
    objectSize: httpStatus >= 400 ? null : 4096,
    authType: null,
  });

describe('createUploadOwnerLookup', () => {
  const lookup = createUploadOwnerLookup([
    { customerId: 'acme', uploadPrefix: 'inbox/acme/' },
    { customerId: 'acme-eu', uploadPrefix: 'inbox/acme/eu/' },
  ]);

  it.each([
    ['a key under a custom upload prefix', 'inbox/acme/a.jpg', 'acme'],
    ['the longest matching prefix', 'inbox/acme/eu/b.jpg', 'acme-eu'],
    ['the default layout uploads/<id>/', 'uploads/globex/c.csv', 'globex'],
    ['a key directly in uploads/', 'uploads/c.csv', null],
    ['the bare folder of a customer', 'uploads/globex/', null],
    ['an invalid customer id in the default layout', 'uploads/-bad/c.csv', null],
    ['a key outside every upload prefix', 'reports/q3.pdf', null],
  ])('finds the owner of %s', (_, key, owner) => {
    expect(lookup(key)).toBe(owner);
  });
});

describe('attributing browser (POST) uploads', () => {
  it('bills a form upload to the customer whose upload prefix holds the key', () => {
    expect(attributeRequest(formPost('uploads/acme/photo.jpg'))).toEqual({
      customerId: 'acme',
      linkId: null,
      day: '2026-11-22',
      month: '2026-11',
      counters: { ...emptyCounters(), uploadBytes: 4096, uploadRequests: 1 },
    });
  });

  it('bills a refused form upload as the customer’s error', () => {
    expect(attributeRequest(formPost('uploads/acme/huge.bin', 400))?.counters).toEqual({
      ...emptyCounters(),
      errorRequests: 1,
    });
  });

  it('matches a custom prefix against the decoded Key field (S3 logs it URL-encoded)', () => {
    const lookup = createUploadOwnerLookup([{ customerId: 'acme', uploadPrefix: 'in box/acme/' }]);
    expect(attributeRequest(formPost('in+box/acme/a%20b.jpg'), lookup)?.customerId).toBe('acme');
  });

  it('leaves a form upload outside every upload prefix untracked', () => {
    const usage = new UsageAggregator();
    usage.add(formPost('public/drop.jpg'), 1);
    expect(usage.customers.size).toBe(0);
    expect(usage.untrackedTotal().uploadBytes).toBe(4096);
  });

  it('never attributes a signed GET by its key', () => {
    const record = makeRecord({
      key: 'uploads/acme/x',
      requestUri: 'GET /b/uploads/acme/x HTTP/1.1',
    });
    expect(attributeRequest(record)?.customerId).toBeNull();
  });
});
