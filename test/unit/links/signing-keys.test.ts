import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../shared/errors.ts';
import { parseSigningKeys, signingKeysFromSecret } from '../../../shared/links/signing-keys.ts';

const KEYS = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' };

describe('parseSigningKeys', () => {
  it('reads the access key pair, with no expiration', () => {
    expect(parseSigningKeys(JSON.stringify({ ...KEYS, note: 'rotated 2026-11' }))).toEqual(KEYS);
  });

  it.each([
    ['not JSON', 'AKIA…:secret', ['signing secret']],
    ['no secret key', JSON.stringify({ accessKeyId: KEYS.accessKeyId }), ['secretAccessKey']],
    [
      'neither',
      JSON.stringify({ accessKeyId: ' ', secretAccessKey: 7 }),
      ['accessKeyId', 'secretAccessKey'],
    ],
    [
      'a temporary key',
      JSON.stringify({ ...KEYS, accessKeyId: 'ASIAEXAMPLEEXAMPLE12' }),
      ['accessKeyId'],
    ],
    ['an empty secret', undefined, ['signing secret']],
  ])('refuses %s, naming every bad field and no value', (_, secret, fields) => {
    let error: unknown;
    try {
      parseSigningKeys(secret);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems.map((p) => p.field.replace('signing secret ', ''))).toEqual(fields);
    expect(JSON.stringify(problems)).not.toContain(KEYS.secretAccessKey);
  });
});

describe('signingKeysFromSecret', () => {
  it('reads the secret once, and again only after a failed read', async () => {
    const read = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValue(JSON.stringify(KEYS));
    const provider = signingKeysFromSecret(read);
    await expect(provider()).rejects.toThrow('throttled');
    expect(await provider()).toEqual(KEYS);
    expect(await provider()).toEqual(KEYS);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
