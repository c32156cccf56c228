import { randomBytes } from 'node:crypto';

/** A random, URL-safe link id: 128 bits as 22 base64url characters. */
export function generateLinkId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a link id may look like where one is read back (logs, paths): URL-safe, at most 64. */
export const LINK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
