import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { isAccessLogKey } from '../access-log/log-object-key.ts';
import type { ListedObject, LogObjectOpener } from '../access-log/log-object-reader.ts';
import { parseLogStream } from '../access-log/parse-stream.ts';
import { readLines, tapChunks } from '../access-log/read-lines.ts';
import type { AccessLogRecord } from '../access-log/types.ts';
import { type Attribution, attributeRequest } from '../usage/attribute-request.ts';
import type { AttributionRules } from '../usage/attribution-rules.ts';
import { LATE_DELIVERY_DAYS } from './completeness.ts';
import { addDays, type Period, periodDays } from '../usage/period.ts';
import {
  addCounters,
  COUNTER_NAMES,
  emptyCounters,
  type UsageCounters,
} from '../usage/usage-counters.ts';
import type { LogSummary } from '../usage/usage-store.ts';

/** An account as the audit names it: a customer id, or `(untracked: <reason>)`. */
export type AuditAccount = string;

/** One account's counters, recomputed from the raw logs and as stored, with the causes. */
export interface AuditLine {
  account: AuditAccount;
  /** Every distinct record of the period's log objects, by the attribution rule. */
  recomputed: UsageCounters;
  stored: UsageCounters;
  /** Records only in log objects that were never metered (not yet, or failed). */
  unmetered: UsageCounters;
  /** Extra copies the metering counted: one record in several metered log objects. */
  crossObjectDuplicates: UsageCounters;
  /** stored − (recomputed − unmetered + crossObjectDuplicates): what no log object explains. */
  unexplained: UsageCounters;
}

export interface AuditReport {
  period: Period;
  objects: number;
  bytes: number;
  lines: number;
  rejectedLines: number;
  /** Lines repeated within one object (counted once by the metering and here). */
  repeatedLines: number;
  unmeteredObjects: string[];
  /** Objects metered as a copy of another's content (they added nothing, rightly). */
  duplicateObjects: number;
  accounts: AuditLine[];
  /** True when every account's stored counters equal the recomputed ones. */
  clean: boolean;
}

export interface AuditProgress {
  objects: number;
  bytes: number;
  lines: number;
}

/** Partitions of the spill: each is deduplicated in memory on its own. */
const PARTITIONS = 64;

/**
 * Recomputes a period's totals from the raw log objects, independently of the ledger, and
 * explains every difference with the stored totals.
 *
 * One streaming pass reads every log object delivered from the period's first day to
 * LATE_DELIVERY_DAYS after its last. Each record of the period is written to one of
 * PARTITIONS spill files by a hash of its request ID and text, with the log object it came
 * from, whether that object was metered, and what it adds to which account. Each partition
 * is then read alone: a record found in several objects counts once (memory is bounded by a
 * partition, not by the period). A record found in no metered object is why a total is
 * short; one found in several metered objects (the metering deduplicates within an object
 * and by content, not across objects) is why a total is long.
 */
export async function auditPeriod(options: {
  period: Period;
  logBucket: string;
  logPrefix: string;
  list: (startAfter: string) => AsyncIterable<ListedObject>;
  open: LogObjectOpener;
  findSummaries: (logObjects: string[]) => Promise<Map<string, LogSummary>>;
  rules: AttributionRules;
  /** The stored totals of every account with any (customers and untracked reasons). */
  stored: Map<AuditAccount, UsageCounters>;
  spillParent: string;
  onProgress?: (progress: Readonly<AuditProgress>) => void;
}): Promise<AuditReport> {
  const { first, last } = periodDays(options.period);
  const inPeriod = (day: string) => day >= first && day <= last;
  const start = `${options.logPrefix}${first}`;
  const end = `${options.logPrefix}${addDays(last, LATE_DELIVERY_DAYS + 1)}`;

  const dir = await mkdtemp(join(options.spillParent, 'usage-meter-audit-'));
  try {
    const spills = Array.from({ length: PARTITIONS }, (_, i) =>
      createWriteStream(join(dir, `part-${i}.tsv`)),
    );
    const report: AuditReport = {
      period: options.period,
      objects: 0,
      bytes: 0,
      lines: 0,
      rejectedLines: 0,
      repeatedLines: 0,
      unmeteredObjects: [],
      duplicateObjects: 0,
      accounts: [],
      clean: true,
    };
    let pending: ListedObject[] = [];
    const readBatch = async () => {
      const summaries = await options.findSummaries(
        pending.map(({ key }) => `${options.logBucket}/${key}`),
      );
      for (const { key } of pending) {
        const summary = summaries.get(`${options.logBucket}/${key}`);
        // Counted: the metering added this object's records (a content copy adds none).
        const counted = summary !== undefined && summary.duplicateOf === undefined;
        if (summary === undefined) report.unmeteredObjects.push(`${options.logBucket}/${key}`);
        if (summary?.duplicateOf !== undefined) report.duplicateObjects++;
        const objectIndex = report.objects++;
        await spillObject(key, objectIndex, counted);
      }
      pending = [];
    };
    const spillObject = async (key: string, objectIndex: number, counted: boolean) => {
      const seen = new Set<string>();
      const source = tapChunks(await options.open(options.logBucket, key), (chunk) => {
        report.bytes += chunk.length;
      });
      for await (const line of parseLogStream(source)) {
        report.lines++;
        if (!line.result.ok) {
          report.rejectedLines++;
          continue;
        }
        const attribution = attributeRequest(line.result.record, options.rules);
        if (attribution === undefined) {
          report.rejectedLines++;
          continue;
        }
        if (!inPeriod(attribution.day)) continue;
        const identity = `${line.result.record.requestId ?? `line:${objectIndex}:${line.number}`}:${hashText(billedAs(line.result.record, attribution, line.text ?? ''))}`;
        if (seen.has(identity)) {
          report.repeatedLines++;
          continue;
        }
        seen.add(identity);
        const account =
          attribution.customerId ?? `(untracked: ${attribution.untracked ?? 'unknown'})`;
        const counters = COUNTER_NAMES.map((n) => attribution.counters[n]).join(',');
        const spill = spills[partitionOf(identity)] as WriteStream;
        if (
          !spill.write(`${identity}\t${objectIndex}\t${counted ? 1 : 0}\t${account}\t${counters}\n`)
        ) {
          await once(spill, 'drain');
        }
      }
      options.onProgress?.(report);
    };

    for await (const object of options.list(start)) {
      if (object.key >= end) break;
      if (!isAccessLogKey(object.key, options.logPrefix)) continue;
      pending.push(object);
      if (pending.length === 100) await readBatch();
    }
    if (pending.length > 0) await readBatch();
    await Promise.all(spills.map((spill) => new Promise<void>((done) => spill.end(() => done()))));

    const totals = new Map<AuditAccount, Omit<AuditLine, 'account' | 'stored' | 'unexplained'>>();
    const totalsOf = (account: AuditAccount) => {
      let entry = totals.get(account);
      if (entry === undefined) {
        entry = {
          recomputed: emptyCounters(),
          unmetered: emptyCounters(),
          crossObjectDuplicates: emptyCounters(),
        };
        totals.set(account, entry);
      }
      return entry;
    };
    for (let i = 0; i < PARTITIONS; i++) {
      const records = new Map<
        string,
        { account: string; counters: UsageCounters; counted: Set<number> }
      >();
      for await (const line of readLines(createReadStream(join(dir, `part-${i}.tsv`)))) {
        if (!('text' in line)) continue;
        const [identity = '', objectIndex, counted, account = '', values = ''] =
          line.text.split('\t');
        let record = records.get(identity);
        if (record === undefined) {
          const numbers = values.split(',').map(Number);
          const counters = emptyCounters();
          COUNTER_NAMES.forEach((name, n) => (counters[name] = numbers[n] ?? 0));
          record = { account, counters, counted: new Set() };
          records.set(identity, record);
        }
        if (counted === '1') record.counted.add(Number(objectIndex));
      }
      for (const { account, counters, counted } of records.values()) {
        const entry = totalsOf(account);
        addCounters(entry.recomputed, counters);
        if (counted.size === 0) addCounters(entry.unmetered, counters);
        for (let extra = 1; extra < counted.size; extra++) {
          addCounters(entry.crossObjectDuplicates, counters);
        }
      }
    }

    const accounts = new Set([...totals.keys(), ...options.stored.keys()]);
    for (const account of [...accounts].sort()) {
      const entry = totalsOf(account);
      const stored = options.stored.get(account) ?? emptyCounters();
      const unexplained = emptyCounters();
      for (const name of COUNTER_NAMES) {
        unexplained[name] =
          stored[name] -
          (entry.recomputed[name] - entry.unmetered[name] + entry.crossObjectDuplicates[name]);
      }
      const line: AuditLine = { account, stored, ...entry, unexplained };
      report.accounts.push(line);
      if (COUNTER_NAMES.some((name) => stored[name] !== entry.recomputed[name])) {
        report.clean = false;
      }
    }
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What makes a line with a request ID the same request as another with that ID, as the
 * metering tells them apart (`SeenRequests`): what it bills, and the line's length.
 */
function billedAs(record: AccessLogRecord, attribution: Attribution, text: string): string {
  return JSON.stringify([
    record.operation?.length,
    record.key?.length,
    attribution.customerId ?? attribution.untracked,
    attribution.linkId,
    text.length,
    record.time,
    record.httpStatus,
    record.bytesSent,
    record.objectSize,
    record.totalTime,
    record.turnAroundTime,
  ]);
}

/** A 32-bit FNV-1a hash of a text. */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

function partitionOf(identity: string): number {
  let hash = 0;
  for (let i = 0; i < identity.length; i++)
    hash = (Math.imul(hash, 31) + identity.charCodeAt(i)) | 0;
  return (hash >>> 0) % PARTITIONS;
}
