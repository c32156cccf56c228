import type { UsageCounters } from '../usage/usage-counters.ts';
import type { LinkMethod } from './link-request.ts';

/** An issued link as recorded: everything but the URL, which is a bearer credential. */
export interface LinkRecord {
  linkId: string;
  customerId: string;
  bucket: string;
  key: string;
  method: LinkMethod;
  issuedAt: string;
  expiresAt: string;
  filename?: string;
  contentType?: string;
  contentLength?: number;
  maxBytes?: number;
}

/** What the access logs have shown of a link so far. */
export interface LinkUsageSoFar extends UsageCounters {
  /** ISO 8601 times of its first and last logged request, null before any. */
  firstAccess: string | null;
  lastAccess: string | null;
}

/** Where issued links are recorded. */
export interface LinkRegistry {
  /** Records a link; its record is removed `retentionDays` after it expires. */
  record(link: LinkRecord, retentionDays: number): Promise<void>;
  /** The link and its usage so far; undefined when unknown or past its retention. */
  find(linkId: string, now: Date): Promise<{ link: LinkRecord; usage: LinkUsageSoFar } | undefined>;
}
