import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Event } from 'aws-lambda';
import type { LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import { isAccessLogKey } from '../../shared/access-log/log-object-key.ts';
import { lazyAttributionRules } from '../../shared/metering/load-attribution-rules.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';
import { addMeteringMetrics } from './metering-metrics.ts';

export interface MeterLogsDeps {
  store: UsageStore;
  /** Attribution bills only existing customers, and form uploads by their upload prefix. */
  customers: CustomerStore;
  open: LogObjectOpener;
  logPrefix: string;
  /** The stack's signer identities: only requests they signed bill a customer. */
  signers: readonly string[];
  now: () => Date;
  logger: Logger;
  /** CloudWatch metrics of each log object metered (in AWS; the local stack has none). */
  metrics?: Metrics;
}

/**
 * The metering Lambda: for each object-created record of the log bucket, meters the log
 * object exactly once and logs one line with its counts. Any failure is thrown: Lambda
 * retries the invocation, and the chunks already applied are skipped on the retry.
 */
export function createMeterLogsHandler(deps: MeterLogsDeps) {
  return async (event: S3Event): Promise<void> => {
    try {
      await meterRecords(deps, event);
    } finally {
      // What was metered is published even when a later record of the event failed.
      if (deps.metrics?.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    }
  };
}

async function meterRecords(deps: MeterLogsDeps, event: S3Event): Promise<void> {
  // The customers, read once per invocation and only if something is metered.
  const loadRules = lazyAttributionRules(deps.customers, deps.signers);
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeS3EventKey(record.s3.object.key);
    if (!isAccessLogKey(key, deps.logPrefix)) {
      // Only S3 logging may write here (the bucket policy); anything else is reported.
      deps.logger.warn('ignored: not a server access log key', { bucket, key });
      continue;
    }
    const etag = record.s3.object.eTag;
    const result = await meterLogObject({
      store: deps.store,
      logObject: `${bucket}/${key}`,
      open: () => deps.open(bucket, key),
      loadRules,
      now: deps.now,
      ...(etag === undefined || etag === '' ? {} : { etag }),
    });
    const { summary, alreadyMetered, contentChanged } = result;
    if (!alreadyMetered && deps.metrics !== undefined) {
      addMeteringMetrics(deps.metrics, result, eventTime(record.eventTime));
    }
    if (contentChanged) {
      // Metered once, as it was then: a rewrite is reported, never metered again.
      deps.logger.warn('content changed under a metered key', { ...summary, newEtag: etag });
    } else if (!alreadyMetered && summary.records === 0 && summary.rejected > 0) {
      deps.logger.error('every line of the log object was rejected', { ...summary });
    } else {
      deps.logger.info(alreadyMetered ? 'log object already metered' : 'log object metered', {
        ...summary,
      });
    }
  }
}

function eventTime(text: string): Date | undefined {
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** S3 event keys are URL-encoded with `+` for spaces (`server+logs/2026-…`). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
