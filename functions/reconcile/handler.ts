import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadReconcileConfig } from '../../shared/config.ts';
import { createReconcileHandler } from './reconcile.ts';
import { createReconcileDeps } from './reconcile-deps.ts';

// Wiring only, once per cold start: a bad setting fails here, before any log object.
export const handler = createReconcileHandler(
  createReconcileDeps({
    config: loadReconcileConfig(process.env),
    s3: new S3Client({}),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logger: new Logger({ serviceName: 'reconcile' }),
  }),
);
