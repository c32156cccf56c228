import type { S3Client } from '@aws-sdk/client-s3';
import { listLogObjects } from '../../shared/access-log/log-object-reader.ts';
import { type Period, periodDaysUntil } from '../../shared/usage/period.ts';
import { readPeriodUsage } from '../../shared/usage/period-usage.ts';
import { DEFAULT_SETTLE_WINDOW_HOURS, type Settlement } from '../../shared/usage/settlement.ts';
import { transferredBytes, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

/** How many of the month's latest log objects the page lists. */
const RECENT_LOG_OBJECTS = 20;

/** What the local usage page shows for one month: the same totals `report` prints. */
export interface UsagePageData {
  period: string;
  /** Whether the month's totals may still grow (S3 delivers logs late), and until when. */
  settlement: Settlement;
  customers: Array<{ customerId: string } & UsageCounters>;
  untracked: UsageCounters;
  untrackedByReason: Record<string, UsageCounters>;
  /** Each day of the month so far: each customer's bytes (downloaded plus uploaded). */
  days: Array<{ day: string; bytes: Record<string, number> }>;
  /** The month's latest log objects, newest first, with what metering them did. */
  logObjects: RecentLogObject[];
}

export interface RecentLogObject {
  logObject: string;
  metered: boolean;
  lines?: number;
  records?: number;
  rejected?: number;
  samples?: Array<{ line: number; reason: string }>;
  /** Seconds from the object's oldest request to its metering. */
  lagSeconds?: number;
}

/** Reads a month's page from the table and the log bucket (a Query per day: a local view). */
export async function readUsagePageData(options: {
  store: UsageStore;
  s3: S3Client;
  logBucket: string;
  logPrefix: string;
  month: Period;
  today: string;
}): Promise<UsagePageData> {
  const { store, month } = options;
  const usage = await readPeriodUsage(store, month, {
    now: new Date(),
    settleWindowHours: DEFAULT_SETTLE_WINDOW_HOURS,
  });

  const days: UsagePageData['days'] = [];
  for (const day of periodDaysUntil(month, options.today)) {
    const totals = await store.listTotals({ kind: 'day', value: day });
    days.push({
      day,
      bytes: Object.fromEntries(totals.map((t) => [t.customerId, transferredBytes(t)])),
    });
  }
  return {
    period: month.value,
    settlement: usage.settlement,
    customers: usage.customers,
    untracked: usage.untracked,
    untrackedByReason: Object.fromEntries(usage.untrackedByReason),
    days,
    logObjects: await recentLogObjects(options),
  };
}

async function recentLogObjects(options: {
  store: UsageStore;
  s3: S3Client;
  logBucket: string;
  logPrefix: string;
  month: Period;
}): Promise<RecentLogObject[]> {
  // S3 names log objects by delivery time, so the month's are one run of keys.
  const monthPrefix = `${options.logPrefix}${options.month.value}`;
  const keys: string[] = [];
  for await (const { key } of listLogObjects(options.s3, options.logBucket, monthPrefix)) {
    keys.push(`${options.logBucket}/${key}`);
    if (keys.length > RECENT_LOG_OBJECTS) keys.shift();
  }
  const summaries = await options.store.findSummaries(keys);
  return keys.reverse().map((logObject) => {
    const summary = summaries.get(logObject);
    if (summary === undefined) return { logObject, metered: false };
    return {
      logObject,
      metered: true,
      lines: summary.lines,
      records: summary.records,
      rejected: summary.rejected,
      samples: summary.samples,
      ...(summary.earliestRequestAt === undefined
        ? {}
        : {
            lagSeconds: Math.round(
              (Date.parse(summary.processedAt) - Date.parse(summary.earliestRequestAt)) / 1000,
            ),
          }),
    };
  });
}
