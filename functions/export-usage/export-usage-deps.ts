import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbExportOutbox } from '../../shared/billing/export-outbox.ts';
import { putPeriodFiles } from '../../shared/billing/period-files.ts';
import type { StripeExportRequest } from '../../shared/billing/stripe-export.ts';
import type { ExportUsageConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { ExportUsageDeps } from './export-usage.ts';

/** The export's adapters on ready clients, for the Lambda and its tests. */
export function createExportUsageDeps(options: {
  config: Readonly<ExportUsageConfig>;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  /** The SDK's `stripe.billing`; undefined when no secret is configured. */
  stripe: (() => Promise<StripeExportRequest['stripe']>) | undefined;
  logger: Logger;
  now?: () => Date;
}): ExportUsageDeps {
  const { config, documents } = options;
  const { filesBucket, filesPrefix } = config;
  return {
    usage: new DynamoDbUsageStore(documents, config.tableName),
    customers: new DynamoDbCustomerStore(documents, config.tableName),
    outbox: new DynamoDbExportOutbox(documents, config.tableName, 'stripe'),
    stripe: options.stripe,
    putFiles:
      filesBucket === undefined
        ? undefined
        : (files) => putPeriodFiles(options.s3, filesBucket, filesPrefix, files),
    settleWindowHours: config.settleWindowHours,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  };
}
