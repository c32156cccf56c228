import type { LogObjectOpener } from '../access-log/log-object-reader.ts';
import type { CustomerStore } from '../customers/customer-store.ts';
import { isAccessLogKey } from '../access-log/log-object-key.ts';
import { forEachConcurrently } from '../concurrency.ts';
import type { ListedObject } from '../access-log/log-object-reader.ts';
import { lazyAttributionRules } from './load-attribution-rules.ts';
import { meterLogObject } from './meter-log-object.ts';
import type { UsageStore } from '../usage/usage-store.ts';

/** How far a reconcile run has got. */
export interface ReconcileProgress {
  listed: number;
  /** Listed objects whose key is not one S3 logging writes: never metered. */
  ignored: number;
  metered: number;
  alreadyMetered: number;
  /** Metered before, but rewritten since (another ETag): reported, not metered again. */
  changed: number;
  failed: number;
}

interface ReconcileRun {
  /** The log objects, oldest first. */
  keys: AsyncIterable<ListedObject>;
  /** Whether a key may hold a log object; other keys are counted as ignored and reported. */
  isLogKey: (key: string) => boolean;
  onIgnored?: (key: string) => void;
  meter: (object: ListedObject) => Promise<{ alreadyMetered: boolean; contentChanged: boolean }>;
  onChanged?: (key: string) => void;
  concurrency: number;
  onProgress?: (progress: Readonly<ReconcileProgress>) => void;
  onFailure?: (key: string, error: unknown) => void;
  /** Asked before each key: true ends the run there, with what is in flight finished. */
  shouldStop?: () => boolean;
}

/**
 * Meters every listed log object that has no summary yet, `concurrency` at a time. Safe to
 * re-run and to run beside the Lambda: metering is exactly once, so an object both meter
 * at the same moment is still counted once. A failure is counted and reported, and the
 * other objects go on; re-running retries it.
 */
async function reconcileLogObjects(options: ReconcileRun): Promise<ReconcileProgress> {
  const progress: ReconcileProgress = {
    listed: 0,
    ignored: 0,
    metered: 0,
    alreadyMetered: 0,
    changed: 0,
    failed: 0,
  };
  await forEachConcurrently(
    until(options.keys, options.shouldStop),
    options.concurrency,
    async (object) => {
      const { key } = object;
      progress.listed++;
      if (!options.isLogKey(key)) {
        progress.ignored++;
        options.onIgnored?.(key);
        return;
      }
      try {
        const { alreadyMetered, contentChanged } = await options.meter(object);
        if (alreadyMetered) progress.alreadyMetered++;
        else progress.metered++;
        if (contentChanged) {
          progress.changed++;
          options.onChanged?.(key);
        }
      } catch (error) {
        // Counted and reported; the other objects go on.
        progress.failed++;
        options.onFailure?.(key, error);
      }
      options.onProgress?.(progress);
    },
  );
  return progress;
}

/** The items until `stop` says so (asked before each one). */
async function* until<T>(items: AsyncIterable<T>, stop?: () => boolean): AsyncGenerator<T> {
  for await (const item of items) {
    if (stop?.() === true) return;
    yield item;
  }
}

/** What reconciling a log bucket needs: a run over its keys, and the adapters to meter one. */
export interface LogBucketReconcile extends Omit<ReconcileRun, 'meter' | 'isLogKey'> {
  store: UsageStore;
  customers: CustomerStore;
  open: LogObjectOpener;
  logBucket: string;
  /** Where S3 logging writes: only its keys under this prefix are metered. */
  logPrefix: string;
  /** The stack's signer identities (docs/attribution.md). */
  signers: readonly string[];
  now: () => Date;
}

/**
 * Meters the listed log objects of one bucket that have no summary yet: what the CLI's
 * `reconcile` and the scheduled Lambda both run. The customers are read once, and only if
 * some object is metered now.
 */
export function reconcileLogBucket(options: LogBucketReconcile): Promise<ReconcileProgress> {
  const loadRules = lazyAttributionRules(options.customers, options.signers);
  const { logBucket, logPrefix, store, open } = options;
  return reconcileLogObjects({
    ...options,
    isLogKey: (key) => isAccessLogKey(key, logPrefix),
    meter: ({ key, etag }) =>
      meterLogObject({
        store,
        logObject: `${logBucket}/${key}`,
        open: () => open(logBucket, key),
        loadRules,
        etag,
        now: options.now,
      }),
  });
}
