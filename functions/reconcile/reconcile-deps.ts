import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createS3LogObjectOpener,
  listLogObjects,
} from '../../shared/access-log/log-object-reader.ts';
import type { ReconcileConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { ReconcileDeps } from './reconcile.ts';

/** The reconcile Lambda's adapters on ready clients, for the Lambda and its tests. */
export function createReconcileDeps(options: {
  config: Readonly<ReconcileConfig>;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  logger: Logger;
  now?: () => Date;
}): ReconcileDeps {
  const { config, s3, documents } = options;
  return {
    store: new DynamoDbUsageStore(documents, config.tableName),
    customers: new DynamoDbCustomerStore(documents, config.tableName),
    open: createS3LogObjectOpener(s3),
    listKeys: (startAfter) => listLogObjects(s3, config.logBucket, config.logPrefix, startAfter),
    logBucket: config.logBucket,
    logPrefix: config.logPrefix,
    signers: config.signers,
    lookbackDays: config.lookbackDays,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  };
}
