/**
 * Every key of the single table, built here and nowhere else: docs/data-model.md lists these
 * items as the contract the billing system is coded against.
 */

/** A key of one item. */
export interface ItemKey {
  PK: string;
  SK: string;
  [attribute: string]: unknown;
}

/** The partition of a customer: its profile, its keys' references, its totals and ledger. */
export const customerPartition = (customerId: string) => `CUSTOMER#${customerId}`;

/** The partition of the requests of one untracked reason: their totals and ledger. */
export const untrackedPartition = (reason: string) => `UNTRACKED#${reason}`;

export const customerProfileKey = (customerId: string): ItemKey => ({
  PK: customerPartition(customerId),
  SK: 'PROFILE',
});

/** The index partition that lists every customer (GSI1PK), and each one's place in it. */
export const CUSTOMER_LIST = 'CUSTOMERS';
export const customerListSortKey = (customerId: string) => customerPartition(customerId);

/** An API key, by the SHA-256 of the key: what a request is authenticated by. */
export const apiKeyKey = (keyHash: string): ItemKey => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' });

/** The same key seen from its customer, by its public id; all of them begin so. */
export const API_KEY_REF_PREFIX = 'APIKEY#';
export const apiKeyRefKey = (customerId: string, keyId: string): ItemKey => ({
  PK: customerPartition(customerId),
  SK: `${API_KEY_REF_PREFIX}${keyId}`,
});

/** A link's record and its usage. */
export const linkKey = (linkId: string): ItemKey => ({ PK: `LINK#${linkId}`, SK: 'LINK' });

/** One customer's link count of one UTC minute (`2026-11-22T10:15`), for the rate limit. */
export const linkRateKey = (customerId: string, minute: string): ItemKey => ({
  PK: `RATE#${customerId}`,
  SK: `LINKS#${minute}`,
});

/** Totals of a month or a day (also the index partition that lists a period's totals). */
export const totalsSortKey = (period: { kind: 'month' | 'day'; value: string }) =>
  `USAGE#${period.kind === 'month' ? 'M' : 'D'}#${period.value}`;

/** What one log object added to an account on a day (a part when its bytes were split). */
export const ledgerSortKey = (day: string, logObject: string, part?: number) =>
  part === undefined ? `SRC#${day}#${logObject}` : `SRC#${day}#${logObject}#${part}`;

/**
 * The index partition (GSI1PK) of the contributions to customers applied after their day
 * ended, by the day's month; their GSI1SK begins with the time they were applied, so that
 * those applied after a period settled are one Query whatever the settle window.
 */
export const lateContributionsPartition = (month: string) => `LATE#${month}`;
export const lateContributionSortKey = (appliedAt: string, customerId: string, day: string) =>
  `${appliedAt}#${customerId}#${day}`;

/** The ledger items of a month or a day begin so. */
export const ledgerPeriodPrefix = (period: { value: string }) => `SRC#${period.value}`;

/** A log object's summary: written last, it means "fully metered". */
export const logSummaryKey = (logObject: string): ItemKey => ({
  PK: `LOG#${logObject}`,
  SK: 'SUMMARY',
});

/** The marker of a log object's n-th link chunk: the link usage it added, once. */
export const linkChunkMarkerKey = (logObject: string, index: number): ItemKey => ({
  PK: `LOG#${logObject}`,
  SK: `LINKS#${String(index).padStart(6, '0')}`,
});

/** The first log object metered with these bytes. */
export const contentDigestKey = (digest: string): ItemKey => ({
  PK: `DIGEST#${digest}`,
  SK: 'DIGEST',
});

/**
 * What was exported to a billing platform for one customer, day and meter (the outbox):
 * a day's items are one Query (`SK` begins with the day).
 */
export const exportOutboxPartition = (platform: string) => `OUTBOX#${platform}`;
export const exportOutboxKey = (
  platform: string,
  day: string,
  customerId: string,
  meter: string,
): ItemKey => ({ PK: exportOutboxPartition(platform), SK: `${day}#${customerId}#${meter}` });

/** The lease one export run of a platform holds, so that two runs never interleave their sends. */
export const exportLeaseKey = (platform: string): ItemKey => ({
  PK: exportOutboxPartition(platform),
  SK: 'LEASE',
});
