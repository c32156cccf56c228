import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createS3LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import type { MeterLogsConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { MeterLogsDeps } from './meter-logs.ts';

/** The metering's adapters on ready clients, for the Lambda, the local stack and the CLI. */
export function createMeterLogsDeps(options: {
  config: Readonly<MeterLogsConfig>;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  logger: Logger;
}): MeterLogsDeps {
  return {
    store: new DynamoDbUsageStore(options.documents, options.config.tableName),
    customers: new DynamoDbCustomerStore(options.documents, options.config.tableName),
    open: createS3LogObjectOpener(options.s3),
    logPrefix: options.config.logPrefix,
    signers: options.config.signers,
    now: () => new Date(),
    logger: options.logger,
  };
}
