import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createS3LogObjectOpener,
  listLogObjects,
} from '../../shared/access-log/log-object-reader.ts';
import { loadReconcileConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { createReconcileHandler } from './reconcile.ts';

// Wiring only, once per cold start: a bad setting fails here, before any log object.
const config = loadReconcileConfig(process.env);
const s3 = new S3Client({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = createReconcileHandler({
  store: new DynamoDbUsageStore(documents, config.tableName),
  customers: new DynamoDbCustomerStore(documents, config.tableName),
  open: createS3LogObjectOpener(s3),
  listKeys: (startAfter) => listLogObjects(s3, config.logBucket, config.logPrefix, startAfter),
  logBucket: config.logBucket,
  logPrefix: config.logPrefix,
  lookbackDays: config.lookbackDays,
  logger: new Logger({ serviceName: 'reconcile' }),
  now: () => new Date(),
});
