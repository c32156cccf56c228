import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ListedObject, LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import { reconcileLogBucket } from '../../shared/metering/reconcile.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

export interface ReconcileDeps {
  store: UsageStore;
  customers: CustomerStore;
  open: LogObjectOpener;
  /** The keys under the log prefix after `startAfter`, oldest first. */
  listKeys: (startAfter: string) => AsyncIterable<ListedObject>;
  logBucket: string;
  logPrefix: string;
  /** The stack's signer identities: only requests they signed bill a customer. */
  signers: readonly string[];
  /** Days looked through, counted back from today (UTC). */
  lookbackDays: number;
  logger: Logger;
  now: () => Date;
}

/** Log objects metered at once: as many as the CLI's default. */
const CONCURRENCY = 4;
/**
 * A run takes no new log object once less than this is left of the Lambda's time, so that
 * those in flight finish and the run reports. The next run goes on from there.
 */
const STOP_MARGIN_MS = 120_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The scheduled safety net behind the notifications: meters every log object of the last
 * `lookbackDays` days that has no summary yet — one whose notification was lost or whose
 * invocations all failed. Log objects are named by delivery time, so the listing starts at
 * the first day and costs one request per 1,000 objects; each object already metered costs
 * one read. A failure is logged and thrown after the others are done, for the error alarm.
 */
export function createReconcileHandler(deps: ReconcileDeps) {
  return async (
    _event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<void> => {
    const since = new Date(deps.now().getTime() - deps.lookbackDays * DAY_MS)
      .toISOString()
      .slice(0, 10);
    let stoppedEarly = false;
    const result = await reconcileLogBucket({
      store: deps.store,
      customers: deps.customers,
      open: deps.open,
      logBucket: deps.logBucket,
      logPrefix: deps.logPrefix,
      signers: deps.signers,
      now: deps.now,
      keys: deps.listKeys(`${deps.logPrefix}${since}`),
      concurrency: CONCURRENCY,
      shouldStop: () => (stoppedEarly ||= context.getRemainingTimeInMillis() < STOP_MARGIN_MS),
      onIgnored: (key) => deps.logger.warn('ignored: not a server access log key', { key }),
      onChanged: (key) => deps.logger.warn('content changed under a metered key', { key }),
      onFailure: (key, error) => deps.logger.error('log object not metered', { key, error }),
    });
    deps.logger.info(stoppedEarly ? 'reconciled in part: out of time' : 'reconciled', {
      since,
      ...result,
    });
    if (result.listed === 0) {
      // S3 logs every request: days without a single log object usually mean a wrong bucket
      // or prefix (or a content bucket whose logging was turned off).
      deps.logger.warn('no log objects under the prefix', {
        logBucket: deps.logBucket,
        prefix: deps.logPrefix,
        since,
      });
    }
    if (result.failed > 0) {
      throw new Error(`${result.failed} log objects failed to meter; the next run retries them`);
    }
  };
}
