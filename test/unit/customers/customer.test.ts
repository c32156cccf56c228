import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, readBearerKey } from '../../../shared/customers/api-key.ts';
import {
  findUploadPrefixConflict,
  mayDownload,
  mayUpload,
  validateNewCustomer,
} from '../../../shared/customers/customer.ts';
import { ValidationError } from '../../../shared/errors.ts';

describe('validateNewCustomer', () => {
  it('fills in the name and the default upload prefix, and drops repeated prefixes', () => {
    expect(validateNewCustomer({ customerId: 'acme', keyPrefixes: ['a/', 'a/'] })).toEqual({
      customerId: 'acme',
      name: 'acme',
      keyPrefixes: ['a/'],
      uploadPrefix: 'uploads/acme/',
    });
  });

  it('names every bad field at once', () => {
    expect(() =>
      validateNewCustomer({
        customerId: '-acme',
        keyPrefixes: ['ok/', 'bad\u0007/'],
        uploadPrefix: 'uploads/acme',
        monthlyByteBudget: 1.5,
      }),
    ).toThrow(
      expect.objectContaining({
        name: ValidationError.name,
        problems: [
          {
            field: 'customerId',
            problem: 'must be a letter or digit followed by up to 63 of A-Z a-z 0-9 . _ -',
          },
          { field: 'keyPrefixes[1]', problem: 'must not contain control characters' },
          {
            field: 'uploadPrefix',
            problem: 'must be a folder: non-empty, ending in / and not starting with /',
          },
          {
            field: 'monthlyByteBudget',
            problem: 'must be a whole number of bytes from 1 to 9007199254740991',
          },
        ],
      }),
    );
  });

  it.each([0, -1, Number.NaN, 2 ** 53])('refuses the monthly byte budget %j', (budget) => {
    expect(() => validateNewCustomer({ customerId: 'acme', monthlyByteBudget: budget })).toThrow(
      expect.objectContaining({
        problems: [
          {
            field: 'monthlyByteBudget',
            problem: 'must be a whole number of bytes from 1 to 9007199254740991',
          },
        ],
      }),
    );
  });

  it('keeps a budget when given, and has none otherwise', () => {
    expect(validateNewCustomer({ customerId: 'acme', monthlyByteBudget: 5e11 })).toMatchObject({
      monthlyByteBudget: 500_000_000_000,
    });
    expect(validateNewCustomer({ customerId: 'acme' })).not.toHaveProperty('monthlyByteBudget');
  });

  it.each([
    ['reports/acme', 'must be a folder: non-empty, ending in / and not starting with /'],
    ['', 'must be a folder: non-empty, ending in / and not starting with /'],
    ['/', 'must be a folder: non-empty, ending in / and not starting with /'],
    ['/reports/', 'must be a folder: non-empty, ending in / and not starting with /'],
    ['reports//acme/', 'must not have empty, . or .. segments'],
    ['reports/../acme/', 'must not have empty, . or .. segments'],
  ])('refuses the download prefix %j', (prefix, problem) => {
    expect(() => validateNewCustomer({ customerId: 'acme', keyPrefixes: [prefix] })).toThrow(
      expect.objectContaining({ problems: [{ field: 'keyPrefixes[0]', problem }] }),
    );
  });

  it('gives the whole bucket only when asked for explicitly', () => {
    expect(validateNewCustomer({ customerId: 'all', wholeBucket: true }).keyPrefixes).toEqual(['']);
  });
});

describe('findUploadPrefixConflict', () => {
  const others = [
    { customerId: 'acme', uploadPrefix: 'uploads/acme/' },
    { customerId: 'globex', uploadPrefix: 'inbox/globex/' },
  ];

  it.each([
    ['a folder inside another customer’s', 'uploads/acme/eu/', 'acme'],
    ['a folder that holds another customer’s', 'uploads/', 'acme'],
    ['the same folder', 'inbox/globex/', 'globex'],
    ['a sibling whose name only starts alike', 'uploads/acme-corp/', undefined],
    ['a folder of its own', 'uploads/initech/', undefined],
  ])('finds %s', (_, uploadPrefix, owner) => {
    expect(findUploadPrefixConflict({ customerId: 'new', uploadPrefix }, others)?.customerId).toBe(
      owner,
    );
  });

  it('never conflicts a customer with itself (an update keeping its prefix)', () => {
    expect(findUploadPrefixConflict(others[0]!, others)).toBeUndefined();
  });
});

describe('what a customer may link to', () => {
  const acme = validateNewCustomer({ customerId: 'acme', keyPrefixes: ['reports/'] });

  it.each([
    ['a download under a key prefix', mayDownload, 'reports/q3.pdf', true],
    ['a download of its own upload', mayDownload, 'uploads/acme/a.csv', true],
    ['a download elsewhere', mayDownload, 'private/a.pdf', false],
    ['a download of another customer’s upload', mayDownload, 'uploads/acme-corp/a.csv', false],
    ['a download of a sibling folder', mayDownload, 'reports-acme/a.pdf', false],
    ['an upload under its upload prefix', mayUpload, 'uploads/acme/a.csv', true],
    ['an upload onto the bare prefix, which is a folder', mayUpload, 'uploads/acme/', false],
    ['an upload under a key prefix', mayUpload, 'reports/new.pdf', false],
  ])('%s', (_, may, key, allowed) => {
    expect(may(acme, key)).toBe(allowed);
  });

  it('reads a prefix stored before prefixes had to be folders as a folder', () => {
    const legacy = { ...acme, keyPrefixes: ['reports/acme'], uploadPrefix: 'uploads/acme' };
    expect(mayDownload(legacy, 'reports/acme/q3.pdf')).toBe(true);
    expect(mayDownload(legacy, 'reports/acme-corp/q3.pdf')).toBe(false);
    expect(mayUpload(legacy, 'uploads/acme-corp/a.csv')).toBe(false);
    expect(mayUpload(legacy, 'uploads/acme/a.csv')).toBe(true);
  });

  it('lets a customer given the whole bucket download anything in it', () => {
    expect(mayDownload(validateNewCustomer({ customerId: 'all', wholeBucket: true }), 'x')).toBe(
      true,
    );
  });
});

describe('API keys', () => {
  it('makes random keys of a fixed shape whose hash is SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.apiKey).toMatch(/^umk_[A-Za-z0-9_-]{43}$/);
    expect(a.keyId).toMatch(/^key_[0-9a-f]{16}$/);
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(a.keyHash).toBe(hashApiKey(a.apiKey));
    // The same digest as `printf umk_test | sha256sum`.
    expect(hashApiKey('umk_test')).toBe(
      '6f3535c8f16783508fa1eb569f77e3ddc742198df1aead545991af9c6f894087',
    );
  });

  it.each([
    ['Bearer K', 'K'],
    ['bearer K', 'K'],
    ['Bearer  K ', 'K'],
    ['Basic K', undefined],
    ['Bearer', undefined],
    ['Bearer umk_short', undefined],
    [undefined, undefined],
  ])('reads the bearer key of %j', (header, expected) => {
    const key = `umk_${'x'.repeat(43)}`;
    expect(readBearerKey(header?.replace('K', key))).toBe(expected === undefined ? undefined : key);
  });
});
