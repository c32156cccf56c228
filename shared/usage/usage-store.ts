import type { UntrackedReason } from './attribution-rules.ts';
import type { Period } from './period.ts';
import type { Account } from './account.ts';
import type { Chunk } from './plan-chunks.ts';
import type { RejectionSample } from './usage-aggregator.ts';
import type { UsageCounters } from './usage-counters.ts';

/** What metering one log object did: written last, so its presence means "fully applied". */
export interface LogSummary {
  /** `<bucket>/<key>` of the log object. */
  logObject: string;
  /** SHA-256 of its bytes (hex), as read. */
  digest: string;
  /** Its ETag when the event or listing gave one: a later different one means a rewrite. */
  etag?: string;
  /** Another log object with the same bytes, metered first: this one added nothing. */
  duplicateOf?: string;
  lines: number;
  records: number;
  rejected: number;
  /** Lines that repeated an earlier line of the object (same request ID and text). */
  duplicateRecords: number;
  /** The oldest request's time (ISO 8601 UTC), when the object had a record. */
  earliestRequestAt?: string;
  samples: RejectionSample[];
  customers: number;
  links: number;
  chunks: number;
  chunksApplied: number;
  chunksSkipped: number;
  processedAt: string;
  durationMs: number;
}

/** An account's totals for a period, as the billing system reads them. */
export interface PeriodTotals extends UsageCounters {
  customerId: string;
  period: string;
}

/** A contribution to a customer's usage applied after its day ended (see `listLateContributions`). */
export interface LateContribution extends UsageCounters {
  customerId: string;
  day: string;
  logObject: string;
  appliedAt: string;
}

/** One ledger item of a customer: what one log object added to one day (docs/data-model.md). */
export interface Contribution extends UsageCounters {
  customerId: string;
  day: string;
  logObject: string;
  /** The item's sort key: unique within the customer, whatever the parts. */
  ledgerKey: string;
  appliedAt: string;
  /** When each export platform acknowledged it, by platform. */
  exportedAt: Record<string, string>;
}

/** Where usage totals, their contributions and the log summaries live. */
export interface UsageStore {
  findSummary(logObject: string): Promise<LogSummary | undefined>;
  /** The summaries of these log objects that exist, by log object. */
  findSummaries(logObjects: string[]): Promise<Map<string, LogSummary>>;
  /**
   * Claims a content digest for a log object; undefined when it is (now or already) this
   * object's, else the log object that claimed it first.
   */
  claimContent(digest: string, logObject: string): Promise<string | undefined>;
  /**
   * Applies one chunk of a log object in one transaction; 'skipped' when it had been
   * applied before (its ledger items exist). Conflicts and throttling are retried.
   */
  applyChunk(logObject: string, chunk: Chunk, appliedAt: Date): Promise<'applied' | 'skipped'>;
  writeSummary(summary: LogSummary): Promise<void>;
  /** Every customer's totals for a period: one Query of the index. */
  listTotals(period: Period): Promise<PeriodTotals[]>;
  getTotals(account: Account, period: Period): Promise<UsageCounters | undefined>;
  /** The untracked requests' totals for a period, per reason (reasons with none left out). */
  listUntrackedTotals(period: Period): Promise<Map<UntrackedReason, UsageCounters>>;
  /**
   * The contributions to customers' usage of a month's days that were applied at or after
   * `from` (ISO 8601) and after their day ended, oldest first: one Query of the index.
   */
  listLateContributions(month: string, from: string): Promise<LateContribution[]>;
  /** A customer's ledger items of a period, in key order (day, then log object). */
  listContributions(customerId: string, period: Period): Promise<Contribution[]>;
  /** Records that a platform acknowledged a ledger item (see `Contribution.exportedAt`). */
  markContributionExported(
    customerId: string,
    ledgerKey: string,
    platform: string,
    at: Date,
  ): Promise<void>;
  /** The sum of an account's ledger items in a period: what its totals must equal. */
  sumContributions(account: Account, period: Period): Promise<UsageCounters>;
}
