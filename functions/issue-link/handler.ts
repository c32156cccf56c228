import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadIssueLinkConfig } from '../../shared/config.ts';
import { SIGNING_CLIENT_CONFIG } from '../../shared/links/link-signer.ts';
import { createIssueLinkHandler } from './issue-link.ts';
import { createIssueLinkDeps } from './issue-link-deps.ts';

// Wiring only, once per cold start: a bad setting fails here, before any request.
export const handler = createIssueLinkHandler(
  createIssueLinkDeps({
    config: loadIssueLinkConfig(process.env),
    s3: new S3Client({ ...SIGNING_CLIENT_CONFIG }),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logger: new Logger({ serviceName: 'issue-link' }),
  }),
);
