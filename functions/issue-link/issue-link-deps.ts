import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IssueLinkConfig } from '../../shared/config.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbLinkRateLimiter } from '../../shared/links/dynamodb-link-rate-limiter.ts';
import { DynamoDbLinkRegistry } from '../../shared/links/dynamodb-link-registry.ts';
import { generateLinkId } from '../../shared/links/link-id.ts';
import { createLinkIssuer } from '../../shared/links/link-issuer.ts';
import { createLinkSigner } from '../../shared/links/link-signer.ts';
import { createS3ObjectLookup } from '../../shared/links/object-lookup.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { IssueLinkDeps } from './issue-link.ts';

/**
 * The link API's adapters on ready clients: the Lambda's handler, the `usage-meter link`
 * command and the local API server all build them here, so they behave the same.
 */
export function createIssueLinkDeps(options: {
  config: Readonly<IssueLinkConfig>;
  s3: S3Client;
  /** Signs the links when they are not signed with `s3`'s own credentials (a signing user). */
  signingS3?: S3Client;
  documents: DynamoDBDocumentClient;
  logger: Logger;
  now?: () => Date;
}): IssueLinkDeps {
  const { config, s3, documents } = options;
  const signingS3 = options.signingS3 ?? s3;
  const now = options.now ?? (() => new Date());
  const registry = new DynamoDbLinkRegistry(documents, config.tableName);
  return {
    customers: new DynamoDbCustomerStore(documents, config.tableName),
    registry,
    rateLimiter: new DynamoDbLinkRateLimiter(documents, config.tableName, config.linksPerMinute),
    usage: new DynamoDbUsageStore(documents, config.tableName),
    maxExpiresIn: config.maxExpiresIn,
    settleWindowHours: config.settleWindowHours,
    logger: options.logger,
    now,
    issuer: createLinkIssuer({
      bucket: config.contentBucket,
      defaultExpiresIn: config.defaultExpiresIn,
      linkRetentionDays: config.linkRetentionDays,
      signer: createLinkSigner(signingS3),
      registry,
      objects: createS3ObjectLookup(s3),
      credentialsExpiration: async () => (await signingS3.config.credentials()).expiration,
      now,
      newLinkId: generateLinkId,
    }),
  };
}
