import type { AccessLogRecord } from '../access-log/index.ts';
import { attributeRequest } from './attribute-request.ts';
import type { AttributionRules, UntrackedReason } from './attribution-rules.ts';
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
 * for (const { number, result } of parsedLines) {
 *   if (result.ok) usage.add(result.record, number);
 *   else usage.reject(number, result.reason);
 * }
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

  constructor(private readonly rules: AttributionRules) {}

  /** Counts one parsed record (`line`: its line number, for a rejection sample). */
  add(record: AccessLogRecord, line: number): void {
    const attribution = attributeRequest(record, this.rules);
    if (attribution === undefined || record.time === null) {
      this.reject(line, 'the record has no request time, so no day to count it in');
      return;
    }
    this.records++;
    const { customerId, linkId, day, counters } = attribution;
    if (customerId === null) {
      addCounters(dayCounters(daysOf(this.untracked, attribution.untracked), day), counters);
      return;
    }
    addCounters(dayCounters(daysOf(this.customers, customerId), day), counters);
    if (linkId !== null) this.#addLinkUsage(linkId, customerId, record.time, counters);
  }

  /** Counts a line that is not a record. */
  reject(line: number, reason: string): void {
    this.rejected++;
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ line, reason });
  }

  /** Each customer's totals over all days. */
  totalsByCustomer(): Map<string, UsageCounters> {
    return new Map(
      [...this.customers].map(([customerId, days]) => [customerId, sumDays(days)] as const),
    );
  }

  /** The untracked requests' totals over all days and reasons. */
  untrackedTotal(): UsageCounters {
    const total = emptyCounters();
    for (const days of this.untracked.values()) addCounters(total, sumDays(days));
    return total;
  }

  /** The untracked requests' totals over all days, per reason. */
  untrackedByReason(): Map<UntrackedReason, UsageCounters> {
    return new Map([...this.untracked].map(([reason, days]) => [reason, sumDays(days)] as const));
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
  }
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
