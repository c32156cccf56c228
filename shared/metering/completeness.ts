import type { ListedObject } from '../access-log/log-object-reader.ts';
import { isAccessLogKey } from '../access-log/log-object-key.ts';
import { addDays, type Period, periodDays } from '../usage/period.ts';
import type { LogSummary } from '../usage/usage-store.ts';

/**
 * How long after a period S3 may still deliver its logs (best effort, usually within
 * hours): the objects delivered up to this many days after its last day hold its records.
 */
export const LATE_DELIVERY_DAYS = 2;

/** What the log bucket holds for a period that the metering has not fully counted. */
export interface Completeness {
  /** Log objects delivered from the period's first day to LATE_DELIVERY_DAYS after its last. */
  objects: number;
  /** Objects with no summary: not metered (yet), or failed every time. */
  unmetered: string[];
  /** Objects metered with every line rejected: nothing of them was counted. */
  unreadable: Array<{ logObject: string; rejected: number }>;
  /** Objects whose content another object already billed. */
  duplicates: number;
}

/**
 * Lists a period's log objects (by delivery time, from the simple key names) and finds
 * those the metering has not counted: the completeness half of `usage-meter verify`.
 */
export async function checkCompleteness(options: {
  period: Period;
  logBucket: string;
  logPrefix: string;
  list: (startAfter: string) => AsyncIterable<ListedObject>;
  findSummaries: (logObjects: string[]) => Promise<Map<string, LogSummary>>;
}): Promise<Completeness> {
  const { first, last } = periodDays(options.period);
  // Keys sort by delivery time: from the first day, up to the end of the late days.
  const start = `${options.logPrefix}${first}`;
  const end = `${options.logPrefix}${addDays(last, LATE_DELIVERY_DAYS + 1)}`;
  const result: Completeness = { objects: 0, unmetered: [], unreadable: [], duplicates: 0 };
  let batch: string[] = [];
  const flush = async () => {
    const summaries = await options.findSummaries(batch);
    for (const logObject of batch) {
      const summary = summaries.get(logObject);
      if (summary === undefined) result.unmetered.push(logObject);
      else if (summary.duplicateOf !== undefined) result.duplicates++;
      else if (summary.records === 0 && summary.rejected > 0) {
        result.unreadable.push({ logObject, rejected: summary.rejected });
      }
    }
    batch = [];
  };
  for await (const { key } of options.list(start)) {
    if (key >= end) break;
    if (!isAccessLogKey(key, options.logPrefix)) continue;
    result.objects++;
    batch.push(`${options.logBucket}/${key}`);
    if (batch.length === 100) await flush();
  }
  if (batch.length > 0) await flush();
  return result;
}
