import { createHash, randomBytes } from 'node:crypto';

/** A new API key: the secret (shown once) and what is stored instead of it. */
export interface GeneratedApiKey {
  /** `umk_` and 43 URL-safe characters (256 random bits): shown to the operator once. */
  apiKey: string;
  /** SHA-256 of the key, hex: all the table ever holds. */
  keyHash: string;
  /** A public name for the key, to list and revoke it without knowing it. */
  keyId: string;
}

const API_KEY_PATTERN = /^umk_[A-Za-z0-9_-]{43}$/;

/** Makes a random API key. */
export function generateApiKey(): GeneratedApiKey {
  const apiKey = `umk_${randomBytes(32).toString('base64url')}`;
  return { apiKey, keyHash: hashApiKey(apiKey), keyId: `key_${randomBytes(8).toString('hex')}` };
}

/**
 * SHA-256, hex. A plain hash is enough (no salt, no slow KDF): the key is 256 random bits,
 * so there is no dictionary to try, and a fast hash keeps authentication one GetItem away.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** The key in an `Authorization: Bearer <key>` header, or undefined when there is none of our shape. */
export function readBearerKey(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const key = match?.[1];
  return key !== undefined && API_KEY_PATTERN.test(key) ? key : undefined;
}
