import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { createMeterLogsHandler } from '../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../functions/meter-logs/meter-logs-deps.ts';
import { listLogObjects } from '../shared/access-log/log-object-reader.ts';
import { reconcileLogBucket, type ReconcileProgress } from '../shared/metering/reconcile.ts';
import { createLocalClients } from './clients.ts';
import type { LocalStack } from './local-stack.ts';

/**
 * The meter-logs handler on the local stack, as S3 would invoke it in AWS: give `meter` the
 * object-created events of the log bucket. A failed event is reported, not retried (AWS
 * would retry twice): `catchUp()`, and `usage-meter reconcile`, meter what was left.
 */
export function startMetering(options: {
  stack: Pick<LocalStack, 'region' | 'credentials' | 'endpoints' | 'signers'>;
  tableName: string;
  logBucket: string;
  logPrefix: string;
  logger: Logger;
}): {
  meter: (event: S3Event) => Promise<void>;
  /** Meters every log object of the bucket that has no summary (after a crash, say). */
  catchUp: () => Promise<ReconcileProgress>;
  stop: () => void;
} {
  const { s3, dynamodb } = createLocalClients(options.stack);
  const deps = createMeterLogsDeps({
    config: {
      tableName: options.tableName,
      logPrefix: options.logPrefix,
      signers: options.stack.signers,
    },
    s3,
    documents: DynamoDBDocumentClient.from(dynamodb),
    logger: options.logger,
  });
  return {
    meter: createMeterLogsHandler(deps),
    catchUp: () =>
      reconcileLogBucket({
        ...deps,
        logBucket: options.logBucket,
        keys: listLogObjects(s3, options.logBucket, options.logPrefix),
        concurrency: 4,
        onFailure: (key, error) => options.logger.error('log object not metered', { key, error }),
      }),
    stop() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}
