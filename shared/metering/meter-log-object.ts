import { createHash } from 'node:crypto';
import { decompressIfGzip } from '../access-log/decompress.ts';
import { forEachConcurrently } from '../concurrency.ts';
import { type LineSource, readLines, tapChunks } from '../access-log/read-lines.ts';
import { redactSecrets } from '../redact.ts';
import type { AttributionRules } from '../usage/attribution-rules.ts';
import { type PlanTally, planChunks } from '../usage/plan-chunks.ts';
import { UsageAggregator } from '../usage/usage-aggregator.ts';
import { transferredBytes } from '../usage/usage-counters.ts';
import type { LogSummary, UsageStore } from '../usage/usage-store.ts';

/** Transactions in flight: enough to keep DynamoDB busy while link chunks read their links. */
const CHUNKS_IN_FLIGHT = 8;
const NO_BYTES = { attributedBytes: 0, untrackedBytes: 0 } as const;

export interface MeterRequest {
  store: UsageStore;
  /** `<bucket>/<key>` of the log object. */
  logObject: string;
  /** Opens the log object's bytes; called only when it has not been metered yet. */
  open: () => Promise<LineSource>;
  /**
   * The signers and customers attribution checks; asked for only when the object is metered
   * now, so that a repeated delivery costs nothing but the summary read.
   */
  loadRules: () => Promise<AttributionRules>;
  /** The object's ETag as the event or the listing gave it, kept in the summary. */
  etag?: string | undefined;
  now: () => Date;
  /** Distinct account-days, and links, held in memory before they spill to disk. */
  maxRowsInMemory?: number;
}

/** What metering one log object did. */
export interface MeterResult {
  summary: LogSummary;
  /** It had been metered before: nothing was read or written. */
  alreadyMetered: boolean;
  /** Metered before, but its ETag is not the one metered then: someone rewrote it. */
  contentChanged: boolean;
  /**
   * Bytes downloaded plus uploaded that this metering billed to customers and left
   * untracked; zero when it added nothing. For metrics: past 2^53 they are approximate.
   */
  attributedBytes: number;
  untrackedBytes: number;
}

/**
 * Meters one log object exactly once: reads and aggregates it in bounded memory (rows
 * beyond a bound spill to sorted temporary files), applies its chunks — skipping those a
 * previous attempt applied — and writes its summary last. A log object with a summary is done:
 * the call returns that summary without reading the object again.
 *
 * The same content under another key (S3 may deliver a log twice; an operator may copy
 * one) is billed once: the first object to claim the content's SHA-256 is metered, any
 * other is summarised as its duplicate and adds nothing. Within an object, a line repeated
 * with the same request ID counts once.
 */
export async function meterLogObject(request: MeterRequest): Promise<MeterResult> {
  const existing = await request.store.findSummary(request.logObject);
  if (existing !== undefined) {
    const contentChanged =
      request.etag !== undefined && existing.etag !== undefined && request.etag !== existing.etag;
    return { summary: existing, alreadyMetered: true, contentChanged, ...NO_BYTES };
  }
  const { now } = request;
  const started = now().getTime();

  const usage = new UsageAggregator(
    await request.loadRules(),
    request.maxRowsInMemory === undefined ? {} : { maxRowsInMemory: request.maxRowsInMemory },
  );
  try {
    const digest = createHash('sha256');
    let lines = 0;
    const source = tapChunks(await request.open(), (chunk) => digest.update(chunk));
    for await (const line of readLines(decompressIfGzip(source))) {
      lines++;
      usage.add(line);
    }
    const contentDigest = digest.digest('hex');
    const base = {
      logObject: request.logObject,
      digest: contentDigest,
      ...(request.etag === undefined ? {} : { etag: request.etag }),
      lines,
      records: usage.records,
      rejected: usage.rejected,
      duplicateRecords: usage.duplicates,
      ...(usage.earliestRequest === undefined ? {} : { earliestRequestAt: usage.earliestRequest }),
      samples: usage.samples.map(({ line, reason }) => ({ line, reason: redactSecrets(reason) })),
    };

    const original = await request.store.claimContent(contentDigest, request.logObject);
    if (original !== undefined) {
      const summary: LogSummary = {
        ...base,
        duplicateOf: original,
        customers: 0,
        links: 0,
        chunks: 0,
        chunksApplied: 0,
        chunksSkipped: 0,
        processedAt: now().toISOString(),
        durationMs: now().getTime() - started,
      };
      await request.store.writeSummary(summary);
      return { summary, alreadyMetered: false, contentChanged: false, ...NO_BYTES };
    }

    const plan: PlanTally = { customers: 0, links: 0, chunks: 0 };
    const bytes = { attributedBytes: 0, untrackedBytes: 0 };
    let applied = 0;
    // Chunks are independent transactions, each exactly once whatever the order: a few at a
    // time (two touching one monthly total conflict, and the store retries), taken from the
    // plan as it is read, so that a plan of any size is never held whole.
    await forEachConcurrently(planChunks(usage, plan), CHUNKS_IN_FLIGHT, async (chunk) => {
      if (chunk.kind === 'totals') {
        for (const { account, counters } of chunk.contributions) {
          bytes[account.kind === 'customer' ? 'attributedBytes' : 'untrackedBytes'] +=
            transferredBytes(counters);
        }
      }
      if ((await request.store.applyChunk(request.logObject, chunk, now())) === 'applied')
        applied++;
    });
    const summary: LogSummary = {
      ...base,
      customers: plan.customers,
      links: plan.links,
      chunks: plan.chunks,
      chunksApplied: applied,
      chunksSkipped: plan.chunks - applied,
      processedAt: now().toISOString(),
      durationMs: now().getTime() - started,
    };
    await request.store.writeSummary(summary);
    return { summary, alreadyMetered: false, contentChanged: false, ...bytes };
  } finally {
    usage.discard();
  }
}
