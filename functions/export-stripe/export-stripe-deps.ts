import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbExportOutbox } from '../../shared/billing/export-outbox.ts';
import type { StripeExportRequest } from '../../shared/billing/stripe-export.ts';
import type { ExportStripeConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { ExportStripeDeps } from './export-stripe.ts';

/** The Stripe export's adapters on ready clients, for the Lambda and its tests. */
export function createExportStripeDeps(options: {
  config: Readonly<ExportStripeConfig>;
  documents: DynamoDBDocumentClient;
  /** The SDK's `stripe.billing`; undefined when no secret is configured. */
  stripe: (() => Promise<StripeExportRequest['stripe']>) | undefined;
  logger: Logger;
  now?: () => Date;
}): ExportStripeDeps {
  const { config, documents } = options;
  return {
    usage: new DynamoDbUsageStore(documents, config.tableName),
    customers: new DynamoDbCustomerStore(documents, config.tableName),
    outbox: new DynamoDbExportOutbox(documents, config.tableName, 'stripe'),
    stripe: options.stripe,
    settleWindowHours: config.settleWindowHours,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  };
}
