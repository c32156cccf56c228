import type { AccessLogRecord } from '../access-log/index.ts';
import { MAX_OBJECT_BYTES } from '../access-log/constants.ts';
import type { ParsedLine } from '../access-log/parse-stream.ts';
import { attributeRequest } from './attribute-request.ts';
import type { AttributionRules, UntrackedReason } from './attribution-rules.ts';
import type { Account } from './account.ts';
import { addCounters, emptyCounters, type UsageCounters } from './usage-counters.ts';

/** Usage of one tracked link by the customer its requests were billed to. */
export interface LinkUsage {
  linkId: string;
  customerId: string;
  counters: UsageCounters;
  /** ISO 8601 times of the first and last request seen. */
  firstAccess: string;
  lastAccess: string;
}

/** A line that could not be counted, for the rejection samples. */
export interface RejectionSample {
  line: number;
  reason: string;
}

const MAX_SAMPLES = 5;

/**
 * Adds up attributed requests in memory: per customer and UTC day, per link, and the
 * untracked requests per reason and day; counts rejected lines and keeps the first few
 * reasons. Memory grows with customers × days and links, not with lines.
 *
 * @example
 * const usage = new UsageAggregator(createAttributionRules({ signers, customers }));
 * for await (const line of parseLogStream(source)) usage.addLine(line);
 * usage.totalsByCustomer(); // Map { 'acme' => { downloadBytes: 1234, … } }
 */
export class UsageAggregator {
  /** customer id → UTC day → counters. */
  readonly customers = new Map<string, Map<string, UsageCounters>>();
  /** Why → UTC day → counters of requests billed to nobody. */
  readonly untracked = new Map<UntrackedReason, Map<string, UsageCounters>>();
  /**
   * Per link and customer (`linkUsageKey`): a link id is only one customer's, but which one
   * the table knows, so a link id signed for two customers is kept apart until it is written.
   */
  readonly links = new Map<string, LinkUsage>();
  readonly samples: RejectionSample[] = [];
  records = 0;
  rejected = 0;
  /** Lines that repeat an earlier line of the same object (same request ID, same text). */
  duplicates = 0;
  /** The time of the oldest request counted (ISO 8601 UTC): how late the log came. */
  earliestRequest: string | undefined;
  /**
   * Sums that filled up: an account-day whose bytes came within one object's size of 2^53
   * is set aside here and counted on afresh, so that every sum written stays an exact
   * JavaScript number (DynamoDB adds them exactly, at any size).
   */
  readonly parts: Array<{ account: Account; day: string; counters: UsageCounters }> = [];
  /** Request ID → a hash of the first line that carried it, to find exact repeats. */
  readonly #seen = new Map<string, number>();
  #fullLinks = 0;

  constructor(private readonly rules: AttributionRules) {}

  /**
   * Counts one line of a log object: a record, a rejection, or a repeat of an earlier line
   * with the same request ID and the same text (S3 may deliver a record twice), which adds
   * nothing. A request ID on two different lines is two requests.
   */
  addLine({ number, result, text }: ParsedLine): void {
    if (!result.ok) {
      this.reject(number, result.reason);
      return;
    }
    const { requestId } = result.record;
    if (requestId !== null && text !== undefined) {
      const hash = hashLine(text);
      const first = this.#seen.get(requestId);
      if (first === hash) {
        this.duplicates++;
        return;
      }
      if (first === undefined) this.#seen.set(requestId, hash);
    }
    this.add(result.record, number);
  }

  /** Counts one parsed record (`line`: its line number, for a rejection sample). */
  add(record: AccessLogRecord, line: number): void {
    const attribution = attributeRequest(record, this.rules);
    if (attribution === undefined || record.time === null) {
      this.reject(line, 'the record has no request time, so no day to count it in');
      return;
    }
    this.records++;
    if (this.earliestRequest === undefined || record.time < this.earliestRequest) {
      this.earliestRequest = record.time;
    }
    const { customerId, linkId, day, counters } = attribution;
    if (customerId === null) {
      const days = daysOf(this.untracked, attribution.untracked);
      const sum = addCounters(dayCounters(days, day), counters);
      if (isFull(sum))
        this.#setAside(days, day, { kind: 'untracked', reason: attribution.untracked });
      return;
    }
    const days = daysOf(this.customers, customerId);
    const sum = addCounters(dayCounters(days, day), counters);
    if (isFull(sum)) this.#setAside(days, day, { kind: 'customer', customerId });
    if (linkId !== null) this.#addLinkUsage(linkId, customerId, record.time, counters);
  }

  #setAside(days: Map<string, UsageCounters>, day: string, account: Account): void {
    this.parts.push({ account, day, counters: days.get(day) ?? emptyCounters() });
    days.delete(day);
  }

  /** Counts a line that is not a record. */
  reject(line: number, reason: string): void {
    this.rejected++;
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ line, reason });
  }

  /** Each customer's totals over all days. */
  totalsByCustomer(): Map<string, UsageCounters> {
    const totals = new Map(
      [...this.customers].map(([customerId, days]) => [customerId, sumDays(days)] as const),
    );
    for (const { account, counters } of this.parts) {
      if (account.kind !== 'customer') continue;
      const total = totals.get(account.customerId) ?? emptyCounters();
      totals.set(account.customerId, addCounters(total, counters));
    }
    return totals;
  }

  /** The untracked requests' totals over all days and reasons. */
  untrackedTotal(): UsageCounters {
    const total = emptyCounters();
    for (const counters of this.untrackedByReason().values()) addCounters(total, counters);
    return total;
  }

  /** The untracked requests' totals over all days, per reason. */
  untrackedByReason(): Map<UntrackedReason, UsageCounters> {
    const totals = new Map(
      [...this.untracked].map(([reason, days]) => [reason, sumDays(days)] as const),
    );
    for (const { account, counters } of this.parts) {
      if (account.kind !== 'untracked') continue;
      const total = totals.get(account.reason) ?? emptyCounters();
      totals.set(account.reason, addCounters(total, counters));
    }
    return totals;
  }

  #addLinkUsage(linkId: string, customerId: string, time: string, counters: UsageCounters): void {
    const key = linkUsageKey(linkId, customerId);
    const link = this.links.get(key);
    if (link === undefined) {
      this.links.set(key, {
        linkId,
        customerId,
        counters: { ...counters },
        firstAccess: time,
        lastAccess: time,
      });
      return;
    }
    addCounters(link.counters, counters);
    if (time < link.firstAccess) link.firstAccess = time;
    if (time > link.lastAccess) link.lastAccess = time;
    // A full sum is kept under a key of its own; the link counts on afresh.
    if (isFull(link.counters)) {
      this.links.set(`${key} ${++this.#fullLinks}`, link);
      this.links.delete(key);
    }
  }
}

/** Once bytes pass this, one more request (at most 5 TiB) could leave the exact integers. */
const FULL = Number.MAX_SAFE_INTEGER - MAX_OBJECT_BYTES;

function isFull(counters: UsageCounters): boolean {
  return counters.downloadBytes > FULL || counters.uploadBytes > FULL;
}

/** A 53-bit hash of a line (cyrb53): telling identical lines apart costs no copy of them. */
function hashLine(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The key of a link's usage by one customer in `UsageAggregator.links`. */
export function linkUsageKey(linkId: string, customerId: string): string {
  // Neither a link id nor a customer id can hold a space.
  return `${linkId} ${customerId}`;
}

function daysOf<K>(map: Map<K, Map<string, UsageCounters>>, key: K): Map<string, UsageCounters> {
  let days = map.get(key);
  if (days === undefined) {
    days = new Map();
    map.set(key, days);
  }
  return days;
}

function dayCounters(days: Map<string, UsageCounters>, day: string): UsageCounters {
  let counters = days.get(day);
  if (counters === undefined) {
    counters = emptyCounters();
    days.set(day, counters);
  }
  return counters;
}

function sumDays(days: Map<string, UsageCounters>): UsageCounters {
  const total = emptyCounters();
  for (const counters of days.values()) addCounters(total, counters);
  return total;
}
