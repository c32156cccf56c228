import type { SourceLine } from '../shared/access-log/read-lines.ts';
import {
  createOfflineAttributionRules,
  type UntrackedReason,
} from '../shared/usage/attribution-rules.ts';
import {
  MAX_REJECTION_SAMPLES,
  type RejectionSample,
  UsageAggregator,
  type UsageAggregatorOptions,
} from '../shared/usage/usage-aggregator.ts';
import { addCountersAt, type UsageCounters } from '../shared/usage/usage-counters.ts';

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

const PROGRESS_EVERY_LINES = 10_000;

/**
 * Counts log lines input after input with the metering rules, keeping which input each
 * rejected line came from and telling `onProgress` how far it has read.
 */
export class LogCounter {
  readonly #usage: UsageAggregator;
  readonly #onProgress: (bytes: number, lines: number) => void;
  readonly #samples: InputRejection[] = [];
  #bytes = 0;
  #lines = 0;

  constructor(
    signers: string[],
    onProgress: (bytes: number, lines: number) => void,
    options: UsageAggregatorOptions = {},
  ) {
    this.#usage = new UsageAggregator(createOfflineAttributionRules(signers), options);
    this.#onProgress = onProgress;
  }

  /** Bytes read (before their lines are added). */
  read(bytes: number): void {
    this.#bytes += bytes;
  }

  /** Counts one line. */
  add(line: SourceLine): void {
    this.#usage.add(line);
    if (++this.#lines % PROGRESS_EVERY_LINES === 0) this.#onProgress(this.#bytes, this.#lines);
  }

  /**
   * Ends the input at `input` (its position in the command line, or a piece's index where
   * threads share the inputs out in pieces): the rejected lines since are tagged with it.
   */
  endInput(input: number): void {
    const own = this.#usage.samples.slice(this.#samples.length);
    this.#samples.push(...own.map((sample) => ({ ...sample, input })));
  }

  /** The totals of all the inputs. */
  async totals(): Promise<LogTotals> {
    this.#onProgress(this.#bytes, this.#lines);
    const usage = this.#usage;
    const { customers, untracked } = await usage.totals();
    const { records, rejected, duplicates } = usage;
    return { customers, untracked, records, rejected, duplicates, samples: this.#samples };
  }

  /** Removes what the counting spilled to disk. */
  discard(): void {
    this.#usage.discard();
  }
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
  for (const [key, counters] of from) addCountersAt(into, key, counters);
}
