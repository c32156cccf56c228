import { MAX_OBJECT_BYTES } from '../access-log/constants.ts';
import { isoSeconds } from '../access-log/log-time.ts';
import { MeteringFields, scanMeteringFields } from '../access-log/metering-fields.ts';
import { parseLine } from '../access-log/parse-line.ts';
import { overlongReason, type SourceLine } from '../access-log/read-lines.ts';
import { customerPartition, untrackedPartition } from '../table/keys.ts';
import type { Account } from './account.ts';
import {
  DOWNLOAD_BYTES,
  FieldAttribution,
  FieldAttributor,
  UPLOAD_BYTES,
} from './attribute-fields.ts';
import type { AttributionRules, UntrackedReason } from './attribution-rules.ts';
import { type RepeatCheck, SeenRequests } from './seen-requests.ts';
import { detached } from '../detached.ts';
import { type Combine, SpillingTable } from './spilling-table.ts';
import {
  addCountersAt,
  COUNTER_NAMES,
  emptyCounters,
  type UsageCounters,
} from './usage-counters.ts';

/** Usage of one tracked link by the customer its requests were billed to. */
export interface LinkUsage {
  linkId: string;
  customerId: string;
  counters: UsageCounters;
  /** ISO 8601 times of the first and last request seen. */
  firstAccess: string;
  lastAccess: string;
}

/** What a log object adds to one account on one UTC day (`part`: one of several, see below). */
export interface AccountDay {
  account: Account;
  day: string;
  counters: UsageCounters;
}

/** A line that could not be counted, for the rejection samples. */
export interface RejectionSample {
  line: number;
  reason: string;
}

export interface UsageAggregatorOptions {
  /** Distinct account-days, and distinct links, held in memory before spilling to disk. */
  maxRowsInMemory?: number;
  /** The folder spilled rows go into (in a folder of their own); default the system's. */
  spillParent?: string | undefined;
  /**
   * The repeat check: one made apart, to compare with another's or to start from it, or
   * one that checks afterwards (`CountedRequests`); by default a `SeenRequests` of its own.
   */
  seen?: RepeatCheck;
}

/** Rejected lines kept as samples, the first ones. */
export const MAX_REJECTION_SAMPLES = 5;
const COUNTERS = COUNTER_NAMES.length;
/** Link rows: the counters, then the first and last request time (seconds). */
const FIRST = COUNTERS;
const LAST = COUNTERS + 1;
// Small enough to stay in the processor's caches: a larger table adds up the same rows more slowly.
const DEFAULT_MAX_ROWS = 1 << 13;
/** Once bytes pass this, one more request (at most 5 TiB) could leave the exact integers. */
const FULL = Number.MAX_SAFE_INTEGER - MAX_OBJECT_BYTES;
/** Between an account key and a day in a row key: sorts before any character of either. */
const DAY_SEPARATOR = '\u0001';

/**
 * Adds up a log's lines with the metering rules, per account (customer, or untracked
 * reason) and UTC day, and per link; counts rejected and repeated lines and keeps the first
 * few reasons. It reads each line with the metering fast path (`scanMeteringFields`) into
 * rows of numbers: nothing is allocated per line but the line itself, and memory is
 * bounded whatever the number of customers, days and links, as rows beyond
 * `maxRowsInMemory` are spilled to sorted temporary files and merged when read.
 *
 * @example
 * const usage = new UsageAggregator(createAttributionRules({ signers, customers }));
 * try {
 *   for await (const line of readLines(source)) usage.add(line);
 *   const { customers } = await usage.totals(); // Map { 'acme' => { downloadBytes: 1234, … } }
 * } finally {
 *   usage.discard();
 * }
 */
export class UsageAggregator {
  readonly samples: RejectionSample[] = [];
  /** Lines counted. */
  records = 0;
  rejected = 0;
  /** Lines that repeat an earlier request of the same object (see `SeenRequests`). */
  duplicates = 0;
  readonly #fields = new MeteringFields();
  readonly #attribution = new FieldAttribution();
  readonly #attributor: FieldAttributor;
  readonly #seen: RepeatCheck;
  readonly #accountDays: SpillingTable;
  readonly #links: SpillingTable;
  /** Customer id (or untracked reason) → day → row of #accountDays, for the rows in memory. */
  #customerRows = new Map<string, Map<number, number>>();
  #untrackedRows = new Map<UntrackedReason, Map<number, number>>();
  #generation = 0;
  /** The link row of the last line with a link. */
  #lastLink = { linkId: '', customerId: '', row: -1 };
  #earliest = Infinity;
  readonly #dayNames = new Map<number, string>();

  constructor(rules: AttributionRules, options: UsageAggregatorOptions = {}) {
    const maxRows = options.maxRowsInMemory ?? DEFAULT_MAX_ROWS;
    this.#attributor = new FieldAttributor(rules);
    const sums = COUNTER_NAMES.map((): Combine => 'sum');
    const { spillParent } = options;
    this.#seen = options.seen ?? new SeenRequests();
    this.#accountDays = new SpillingTable(sums, maxRows, spillParent);
    this.#links = new SpillingTable([...sums, 'min', 'max'], maxRows, spillParent);
  }

  /** Counts one line as `readLines` gives it: a record, a rejection, or a repeat. */
  add(line: SourceLine): void {
    if ('text' in line) this.addLine(line.number, line.text);
    else this.reject(line.number, overlongReason(line.overlongChars));
  }

  /**
   * Counts one line of a log object: a record, a rejection, or a repeat of an earlier
   * request (`SeenRequests`: S3 may deliver a record twice), which adds nothing.
   */
  addLine(number: number, text: string): void {
    const fields = this.#fields;
    if (!scanMeteringFields(text, fields)) {
      // The full parser says why, for the few lines sampled.
      this.reject(number, () => {
        const result = parseLine(text);
        return result.ok ? 'the line is not a record' : result.reason;
      });
      return;
    }
    const attribution = this.#attribution;
    if (!this.#attributor.attribute(fields, attribution)) {
      this.reject(number, 'the record has no request time, so no day to count it in');
      return;
    }
    if (fields.requestIdStart !== -1 && !this.#seen.add(fields, attribution)) {
      this.duplicates++;
      return;
    }
    this.records++;
    if (fields.time < this.#earliest) this.#earliest = fields.time;
    const { customerId, linkId } = attribution;
    const row = this.#accountDayRow(customerId, attribution.untracked as UntrackedReason);
    this.#addTo(this.#accountDays, row, false);
    if (linkId !== null && customerId !== null) {
      this.#addTo(this.#links, this.#linkRow(linkId, customerId), true);
    }
  }

  /** Counts a line that is not a record; a function reason is asked only for a sample. */
  reject(line: number, reason: string | (() => string)): void {
    this.rejected++;
    if (this.samples.length < MAX_REJECTION_SAMPLES) {
      this.samples.push({ line, reason: typeof reason === 'string' ? reason : reason() });
    }
  }

  /** The time of the oldest request counted (ISO 8601 UTC): how late the log came. */
  get earliestRequest(): string | undefined {
    return this.#earliest === Infinity ? undefined : isoSeconds(this.#earliest);
  }

  /**
   * What the lines added per account and UTC day, sorted by account key then day: every
   * customer (by id) before the untracked reasons. An account-day whose bytes came near 2^53
   * comes as several consecutive entries, so that every sum stays an exact number.
   */
  async *accountDays(): AsyncGenerator<AccountDay> {
    for await (const { key, values } of this.#accountDays.rows()) {
      const separator = key.indexOf(DAY_SEPARATOR);
      yield {
        account: accountOf(key.slice(0, separator)),
        day: key.slice(separator + 1),
        counters: countersOf(values),
      };
    }
  }

  /**
   * Each link's usage by each customer, sorted by link id then customer id; a link whose
   * bytes came near 2^53 comes as several consecutive entries.
   */
  async *linkUsage(): AsyncGenerator<LinkUsage> {
    for await (const { key, values } of this.#links.rows()) {
      const space = key.indexOf(' ');
      yield {
        linkId: key.slice(0, space),
        customerId: key.slice(space + 1),
        counters: countersOf(values),
        firstAccess: isoSeconds(values[FIRST] as number),
        lastAccess: isoSeconds(values[LAST] as number),
      };
    }
  }

  /**
   * Each customer's totals over all days, and the untracked requests' per reason, each map
   * in order of id (of reason).
   */
  async totals(): Promise<{
    customers: Map<string, UsageCounters>;
    untracked: Map<UntrackedReason, UsageCounters>;
  }> {
    // Every row held, each remembered by its account: summed where they lie, rather than
    // sorted, merged and made into keys and records (that last phase, of a few thousand
    // rows, costs a thread more in compiling than in running).
    if (this.#accountDays.allHeld) {
      return {
        customers: this.#heldTotals(this.#customerRows),
        untracked: this.#heldTotals(this.#untrackedRows),
      };
    }
    const customers = new Map<string, UsageCounters>();
    const untracked = new Map<UntrackedReason, UsageCounters>();
    for await (const { account, counters } of this.accountDays()) {
      if (account.kind === 'customer') addCountersAt(customers, account.customerId, counters);
      else addCountersAt(untracked, account.reason, counters);
    }
    return { customers, untracked };
  }

  /** Removes what was spilled to disk. */
  discard(): void {
    this.#accountDays.discard();
    this.#links.discard();
    this.#forgetRows();
    this.#lastLink = { linkId: '', customerId: '', row: -1 };
  }

  /** The row of an account's day, remembered by the account's id (no key built a line). */
  #accountDayRow(customerId: string | null, reason: UntrackedReason): number {
    const day = this.#attribution.day;
    let days =
      customerId === null ? this.#untrackedRows.get(reason) : this.#customerRows.get(customerId);
    let row = days?.get(day);
    if (row !== undefined) return row;
    const table = this.#accountDays;
    const account =
      customerId === null ? untrackedPartition(reason) : customerPartition(customerId);
    // Not remembered, so not held: every row held is remembered until the table spills.
    row = table.insert(`${account}${DAY_SEPARATOR}${this.#dayName(day)}`);
    // Creating the row may have spilled the rows remembered (the new one is valid).
    if (table.generation !== this.#generation) {
      this.#forgetRows();
      days = undefined;
    }
    if (days === undefined) {
      days = new Map();
      if (customerId === null) this.#untrackedRows.set(reason, days);
      else this.#customerRows.set(detached(customerId), days);
    }
    days.set(day, row);
    return row;
  }

  /**
   * A row for the line's usage of a link by a customer, read back in order of link id, then
   * customer: a new row for each line (most lines bring a link never seen before), or the
   * previous line's row for the same link and customer (the range requests of one download
   * come together). Rows of one link and customer are combined when read. Only a new row
   * spills the table, so the previous line's row is held until this one replaces it.
   */
  #linkRow(linkId: string, customerId: string): number {
    const last = this.#lastLink;
    if (last.linkId !== linkId || last.customerId !== customerId) {
      last.row = this.#links.append(linkId, ` ${customerId}`);
      last.linkId = linkId;
      last.customerId = customerId;
    }
    return last.row;
  }

  /** The sums of each account's rows held (`#customerRows`, `#untrackedRows`), by account. */
  #heldTotals<K extends string>(accounts: Map<K, Map<number, number>>): Map<K, UsageCounters> {
    const { values, width } = this.#accountDays;
    const totals = new Map<K, UsageCounters>();
    for (const account of [...accounts.keys()].sort()) {
      const sums = new Float64Array(COUNTERS);
      for (const row of (accounts.get(account) as Map<number, number>).values()) {
        for (let i = 0; i < COUNTERS; i++)
          sums[i] = (sums[i] as number) + (values[row * width + i] as number);
      }
      totals.set(account, countersOf(sums));
    }
    return totals;
  }

  #forgetRows(): void {
    this.#customerRows = new Map();
    this.#untrackedRows = new Map();
    this.#generation = this.#accountDays.generation;
  }

  #addTo(table: SpillingTable, row: number, withTimes: boolean): void {
    const { requestSlot, bytesSlot, bytes } = this.#attribution;
    const values = table.values;
    const at = row * table.width;
    values[at + requestSlot] = (values[at + requestSlot] as number) + 1;
    if (bytesSlot !== -1) {
      values[at + bytesSlot] = (values[at + bytesSlot] as number) + bytes;
      if (
        (values[at + DOWNLOAD_BYTES] as number) > FULL ||
        (values[at + UPLOAD_BYTES] as number) > FULL
      ) {
        table.setAside(row);
      }
    }
    if (withTimes) {
      const time = this.#fields.time;
      if (time < (values[at + FIRST] as number)) values[at + FIRST] = time;
      if (time > (values[at + LAST] as number)) values[at + LAST] = time;
    }
  }

  #dayName(day: number): string {
    let name = this.#dayNames.get(day);
    if (name === undefined) {
      name = isoSeconds(day * 86_400).slice(0, 10);
      this.#dayNames.set(day, name);
    }
    return name;
  }
}

function accountOf(key: string): Account {
  const customer = customerPartition('');
  return key.startsWith(customer)
    ? { kind: 'customer', customerId: key.slice(customer.length) }
    : { kind: 'untracked', reason: key.slice(untrackedPartition('').length) as UntrackedReason };
}

function countersOf(values: ArrayLike<number>): UsageCounters {
  const counters = emptyCounters();
  COUNTER_NAMES.forEach((name, i) => (counters[name] = values[i] as number));
  return counters;
}
