import { randomBytes } from 'node:crypto';

/** A random, URL-safe link id: 128 bits as 22 base64url characters. */
export function generateLinkId(): string {
  return randomBytes(16).toString('base64url');
}
