import { Logger } from '@aws-lambda-powertools/logger';
import { inject } from 'vitest';
import type { LocalApi } from '../../local/api/local-api-server.ts';
import { startLinkApi } from '../../local/api/start-link-api.ts';
import { createLocalDynamoDbClient, createLocalS3Client } from '../../local/clients.ts';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../local/local-stack.ts';

/** The stack the global setup started for the whole run. */
export function sharedStack() {
  return inject('localStack');
}

/**
 * An S3 stack of this test file's own (for notifications and log delivery), on the shared
 * DynamoDB Local.
 */
export function startTestStack(
  options: Omit<LocalStackOptions, 'dynamodbEndpoint'>,
): Promise<LocalStack> {
  return startLocalStack({
    logDeliveryIntervalMs: 0,
    ...options,
    dynamodbEndpoint: sharedStack().endpoints.dynamodb,
  });
}

type StackLike = Pick<LocalStack, 'region' | 'credentials' | 'endpoints'>;

/** An S3 client of the operator (`as: 'signer'`: of the link API's own identity). */
export function s3ClientFor(
  stack: StackLike & Pick<LocalStack, 'signerCredentials'>,
  as: 'operator' | 'signer' = 'operator',
) {
  return createLocalS3Client({
    endpoint: stack.endpoints.s3,
    region: stack.region,
    credentials: as === 'signer' ? stack.signerCredentials : stack.credentials,
  });
}

export function dynamoDbClientFor(stack: StackLike) {
  return createLocalDynamoDbClient({
    endpoint: stack.endpoints.dynamodb,
    region: stack.region,
    credentials: stack.credentials,
  });
}

/** The link API on the shared stack for one test table and content bucket, quiet. */
export function startTestLinkApi(tableName: string, contentBucket: string): Promise<LocalApi> {
  return startLinkApi({
    stack: sharedStack(),
    tableName,
    contentBucket,
    env: {},
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}
