import { inject } from 'vitest';
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

/** An S3 stack of this test file's own (for notifications and log delivery), on the shared DynamoDB Local. */
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

export function s3ClientFor(stack: StackLike) {
  return createLocalS3Client({
    endpoint: stack.endpoints.s3,
    region: stack.region,
    credentials: stack.credentials,
  });
}

export function dynamoDbClientFor(stack: StackLike) {
  return createLocalDynamoDbClient({
    endpoint: stack.endpoints.dynamodb,
    region: stack.region,
    credentials: stack.credentials,
  });
}
