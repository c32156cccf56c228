import type { UntrackedReason } from '../shared/usage/attribution-rules.ts';
import {
  MAX_REJECTION_SAMPLES,
  type RejectionSample,
  type UsageAggregator,
} from '../shared/usage/usage-aggregator.ts';
import { addCounters, emptyCounters, type UsageCounters } from '../shared/usage/usage-counters.ts';

/** A rejected line of one of the inputs (by position in the command line). */
export interface InputRejection extends RejectionSample {
  input: number;
}

/** What `aggregate` prints: the totals per customer and per untracked reason, and the counts. */
export interface LogTotals {
  customers: Map<string, UsageCounters>;
  untracked: Map<UntrackedReason, UsageCounters>;
  records: number;
  rejected: number;
  duplicates: number;
  /** The first rejected lines, in input order. */
  samples: InputRejection[];
}

/** Rejection samples of the input at `input` (its position in the command line). */
export function inputSamples(samples: RejectionSample[], input: number): InputRejection[] {
  return samples.map((sample) => ({ ...sample, input }));
}

/** An aggregator's totals; `samples` are its own, already tagged with their input. */
export async function logTotals(
  usage: UsageAggregator,
  samples: InputRejection[],
): Promise<LogTotals> {
  const { customers, untracked } = await usage.totals();
  return {
    customers,
    untracked,
    records: usage.records,
    rejected: usage.rejected,
    duplicates: usage.duplicates,
    samples,
  };
}

/** The totals of lines shared out between threads, as one thread reading them all gives them. */
export function combineLogTotals(parts: LogTotals[]): LogTotals {
  const combined: LogTotals = {
    customers: new Map(),
    untracked: new Map(),
    records: 0,
    rejected: 0,
    duplicates: 0,
    samples: [],
  };
  for (const part of parts) {
    addInto(combined.customers, part.customers);
    addInto(combined.untracked, part.untracked);
    combined.records += part.records;
    combined.rejected += part.rejected;
    combined.duplicates += part.duplicates;
    combined.samples.push(...part.samples);
  }
  // Each part kept its own first few: the first few of all are among them.
  combined.samples.sort((a, b) => a.input - b.input || a.line - b.line);
  combined.samples.length = Math.min(combined.samples.length, MAX_REJECTION_SAMPLES);
  return combined;
}

function addInto<K>(into: Map<K, UsageCounters>, from: Map<K, UsageCounters>): void {
  for (const [key, counters] of from) {
    into.set(key, addCounters(into.get(key) ?? emptyCounters(), counters));
  }
}
