import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event } from 'aws-lambda';
import type { LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import { lazyUploadOwnerLookup } from '../../shared/customers/upload-owner.ts';
import { meterLogObject } from '../../shared/usage/meter-log-object.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

export interface MeterLogsDeps {
  store: UsageStore;
  /** For the customers' upload prefixes, which attribute browser (POST) uploads. */
  customers: CustomerStore;
  open: LogObjectOpener;
  logPrefix: string;
  logger: Logger;
}

/**
 * The metering Lambda: for each object-created record of the log bucket, meters the log
 * object exactly once and logs one line with its counts. Any failure is thrown: Lambda
 * retries the invocation, and the chunks already applied are skipped on the retry.
 */
export function createMeterLogsHandler(deps: MeterLogsDeps) {
  return async (event: S3Event): Promise<void> => {
    // The customers' upload prefixes, read once per invocation and only if something is metered.
    const loadUploadOwner = lazyUploadOwnerLookup(deps.customers);
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeS3EventKey(record.s3.object.key);
      if (!key.startsWith(deps.logPrefix)) {
        deps.logger.info('ignored: outside the log prefix', { bucket, key });
        continue;
      }
      const { summary, alreadyMetered } = await meterLogObject({
        store: deps.store,
        logObject: `${bucket}/${key}`,
        open: () => deps.open(bucket, key),
        loadUploadOwner,
      });
      deps.logger.info(alreadyMetered ? 'log object already metered' : 'log object metered', {
        ...summary,
      });
    }
  };
}

/** S3 event keys are URL-encoded with `+` for spaces (`server+logs/2026-…`). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
