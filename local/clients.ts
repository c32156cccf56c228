import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** What a client needs to reach the local stack. */
export interface LocalEndpoint {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/**
 * An S3 client for the local S3 server: path-style, and checksums only where S3 requires
 * them, because s3rver stores aws-chunked (checksum-trailer) uploads corrupted.
 */
export function createLocalS3Client({ endpoint, region, credentials }: LocalEndpoint): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A DynamoDB client for DynamoDB Local. */
export function createLocalDynamoDbClient({
  endpoint,
  region,
  credentials,
}: LocalEndpoint): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials });
}

/** Both clients for a running local stack. */
export function createLocalClients(stack: {
  region: string;
  credentials: LocalEndpoint['credentials'];
  endpoints: { s3: string; dynamodb: string };
}): { s3: S3Client; dynamodb: DynamoDBClient } {
  const reach = (endpoint: string) => ({
    endpoint,
    region: stack.region,
    credentials: stack.credentials,
  });
  return {
    s3: createLocalS3Client(reach(stack.endpoints.s3)),
    dynamodb: createLocalDynamoDbClient(reach(stack.endpoints.dynamodb)),
  };
}
