import { parseLogStream } from '../access-log/parse-stream.ts';
import { forEachConcurrently } from '../concurrency.ts';
import type { LineSource } from '../access-log/read-lines.ts';
import { redactSecrets } from '../redact.ts';
import type { AttributionRules } from './attribution-rules.ts';
import { planChunks } from './plan-chunks.ts';
import { UsageAggregator } from './usage-aggregator.ts';
import type { LogSummary, UsageStore } from './usage-store.ts';

const CHUNKS_IN_FLIGHT = 4;

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
  now?: () => Date;
}

/**
 * Meters one log object exactly once: parses and aggregates it in memory (bounded by
 * customers × days and links, not lines), applies its chunks — skipping those a previous
 * attempt applied — and writes its summary last. A log object with a summary is done:
 * the call returns that summary without reading the object again.
 */
export async function meterLogObject(
  request: MeterRequest,
): Promise<{ summary: LogSummary; alreadyMetered: boolean }> {
  const existing = await request.store.findSummary(request.logObject);
  if (existing !== undefined) return { summary: existing, alreadyMetered: true };
  const now = request.now ?? (() => new Date());
  const started = now().getTime();

  const usage = new UsageAggregator(await request.loadRules());
  let lines = 0;
  for await (const { number, result } of parseLogStream(await request.open())) {
    lines++;
    if (result.ok) usage.add(result.record, number);
    else usage.reject(number, result.reason);
  }

  const chunks = planChunks(usage);
  let applied = 0;
  // Chunks are independent transactions, each exactly once whatever the order: a few at a
  // time (two touching one monthly total conflict, and the store retries).
  await forEachConcurrently(chunks, CHUNKS_IN_FLIGHT, async (chunk) => {
    if ((await request.store.applyChunk(request.logObject, chunk)) === 'applied') applied++;
  });
  await request.store.recordAccessTimes(usage.links.values());
  const summary: LogSummary = {
    logObject: request.logObject,
    lines,
    records: usage.records,
    rejected: usage.rejected,
    samples: usage.samples.map(({ line, reason }) => ({ line, reason: redactSecrets(reason) })),
    customers: usage.customers.size,
    links: usage.links.size,
    chunks: chunks.length,
    chunksApplied: applied,
    chunksSkipped: chunks.length - applied,
    processedAt: now().toISOString(),
    durationMs: now().getTime() - started,
  };
  await request.store.writeSummary(summary);
  return { summary, alreadyMetered: false };
}
