import { type AccessLogRecord, formatAccessLogRecord } from '../../shared/access-log/index.ts';
import type { UsageAggregator } from '../../shared/usage/usage-aggregator.ts';

/** Feeds records to an aggregator as the log lines S3 would write for them (line 1, 2, …). */
export function addRecords(usage: UsageAggregator, records: AccessLogRecord[]): UsageAggregator {
  records.forEach((record, i) => usage.addLine(i + 1, formatAccessLogRecord(record)));
  return usage;
}

/** Everything an async iterable yields, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
