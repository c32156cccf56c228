import { addRecords } from '../../helpers/aggregate.ts';
import { describe, expect, it } from 'vitest';
import {
  createAttributionRules,
  createOfflineAttributionRules,
  createSignerMatcher,
  intendedSignerArn,
  isSignerArn,
} from '../../../shared/usage/attribution-rules.ts';
import { attributeRequest, emptyCounters, UsageAggregator } from '../../../shared/usage/index.ts';
import { makeRecord } from '../../helpers/records.ts';
import { customer, OPERATOR_ARN, SIGNER_ROLE, testRules } from '../../helpers/rules.ts';

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

describe('createAttributionRules', () => {
  const rules = createAttributionRules({
    signers: [SIGNER_ROLE],
    customers: [customer('acme', 'inbox/acme/'), customer('globex')],
  });

  it.each([
    ['a key under a custom upload prefix', 'inbox/acme/a.jpg', 'acme'],
    ['a key under a default upload prefix', 'uploads/globex/c.csv', 'globex'],
    ['a key of a customer that does not exist', 'uploads/ghost/c.csv', null],
    ['a key directly in uploads/', 'uploads/c.csv', null],
    ['a key outside every upload prefix', 'reports/q3.pdf', null],
    ['a key whose folder only starts like a prefix', 'inbox/acme-corp/x', null],
  ])('finds the owner of %s', (_, key, owner) => {
    expect(rules.uploadOwner(key)).toBe(owner);
  });

  it('knows only the listed customers', () => {
    expect([rules.isCustomer('acme'), rules.isCustomer('ghost')]).toEqual([true, false]);
  });
});

describe('createSignerMatcher', () => {
  const user = 'arn:aws:iam::123456789012:user/link-signer';
  const isSigner = createSignerMatcher([SIGNER_ROLE, user]);

  it.each([
    [`${SIGNER_ROLE}/instance-1`, true],
    [SIGNER_ROLE, false],
    [`${SIGNER_ROLE}/a/b`, false],
    [`${SIGNER_ROLE}x/instance-1`, false],
    [user, true],
    [`${user}/x`, false],
    [OPERATOR_ARN, false],
    ['-', false],
  ])('says whether %s is a signer', (requester, expected) => {
    expect(isSigner(requester)).toBe(expected);
  });

  it.each([
    ['arn:aws:sts::123456789012:assumed-role/name', true],
    ['arn:aws-cn:sts::123456789012:assumed-role/name', true],
    ['arn:aws:iam::123456789012:user/path/name', true],
    ['arn:aws:sts::123456789012:assumed-role/name/session', false],
    ['arn:aws:iam::123456789012:role/name', false],
    ['arn:aws:sts::12345:assumed-role/name', false],
    ['*', false],
  ])('accepts %s as a signer ARN: %s', (arn, expected) => {
    expect(isSignerArn(arn)).toBe(expected);
  });

  it.each([
    ['arn:aws:iam::123456789012:role/name', 'arn:aws:sts::123456789012:assumed-role/name'],
    [
      'arn:aws:iam::123456789012:role/service-role/a/name',
      'arn:aws:sts::123456789012:assumed-role/name',
    ],
    ['arn:aws-cn:iam::123456789012:role/name', 'arn:aws-cn:sts::123456789012:assumed-role/name'],
    [
      'arn:aws:sts::123456789012:assumed-role/name/session',
      'arn:aws:sts::123456789012:assumed-role/name',
    ],
    ['arn:aws:iam::12345:role/name', undefined],
    ['arn:aws:iam::123456789012:group/name', undefined],
    ['arn:aws:sts::123456789012:assumed-role/name/', undefined],
    ['*', undefined],
  ])('reads the refused %s as meaning %s', (arn, meant) => {
    expect(isSignerArn(arn)).toBe(false);
    expect(intendedSignerArn(arn)).toBe(meant);
    if (meant !== undefined) expect(isSignerArn(meant)).toBe(true);
  });
});

describe('attributing browser (POST) uploads', () => {
  it('bills a form upload to the customer whose upload prefix holds the key', () => {
    expect(attributeRequest(formPost('uploads/acme/photo.jpg'), testRules())).toEqual({
      customerId: 'acme',
      linkId: null,
      untracked: null,
      day: '2026-11-22',
      counters: { ...emptyCounters(), uploadBytes: 4096, uploadRequests: 1 },
    });
  });

  it('bills a refused form upload as the customer’s error', () => {
    expect(attributeRequest(formPost('uploads/acme/huge.bin', 400), testRules())?.counters).toEqual(
      { ...emptyCounters(), errorRequests: 1 },
    );
  });

  it('matches a custom prefix against the decoded Key field (S3 logs it URL-encoded)', () => {
    const rules = testRules([customer('acme', 'in box/acme/')]);
    expect(attributeRequest(formPost('in+box/acme/a%20b.jpg'), rules)?.customerId).toBe('acme');
  });

  it('leaves a form upload outside every upload prefix untracked', async () => {
    const usage = new UsageAggregator(testRules());
    const { customers, untracked } = await addRecords(usage, [
      formPost('public/drop.jpg'),
    ]).totals();
    expect(customers.size).toBe(0);
    expect(untracked.get('unknown-customer')?.uploadBytes).toBe(4096);
  });

  it('bills a form upload signed by someone else to nobody', () => {
    const record = { ...formPost('uploads/acme/photo.jpg'), requester: OPERATOR_ARN };
    expect(attributeRequest(record, testRules())?.untracked).toBe('foreign-signer');
  });

  it('never attributes a signed GET by its key', () => {
    const record = makeRecord({
      key: 'uploads/acme/x',
      requestUri: 'GET /b/uploads/acme/x HTTP/1.1',
    });
    expect(attributeRequest(record, testRules())?.customerId).toBeNull();
  });
});

describe('createOfflineAttributionRules', () => {
  it('takes every well-formed id and the default upload layout, and any requester', () => {
    const rules = createOfflineAttributionRules([]);
    expect(rules.isCustomer('anyone')).toBe(true);
    expect(rules.uploadOwner('uploads/globex/c.csv')).toBe('globex');
    expect(rules.isSigner(OPERATOR_ARN)).toBe(true);
  });

  it('checks the requester when signers are given', () => {
    const rules = createOfflineAttributionRules([SIGNER_ROLE]);
    expect(rules.isSigner(OPERATOR_ARN)).toBe(false);
  });
});
