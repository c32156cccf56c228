import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { loadExportUsageConfig } from '../../shared/config.ts';
import { createExportUsageHandler } from './export-usage.ts';
import { createExportUsageDeps } from './export-usage-deps.ts';

// Wiring only, once per cold start: a bad setting fails here, before any export.
const config = loadExportUsageConfig(process.env);
const secretArn = config.stripeSecretArn;
let billing: Promise<Stripe['billing']> | undefined;

export const handler = createExportUsageHandler(
  createExportUsageDeps({
    config,
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    s3: new S3Client({}),
    // The key is read once per container, on its first run, and never logged.
    stripe:
      secretArn === undefined
        ? undefined
        : () =>
            (billing ??= new SecretsManagerClient({})
              .send(new GetSecretValueCommand({ SecretId: secretArn }))
              .then(({ SecretString }) => {
                if (SecretString === undefined || SecretString.trim() === '') {
                  throw new Error(`the secret ${secretArn} holds no Stripe key`);
                }
                return new Stripe(SecretString.trim(), { maxNetworkRetries: 2 }).billing;
              })
              .catch((error: unknown) => {
                // Read again on the next run: the secret may be fixed by then.
                billing = undefined;
                throw error;
              })),
    logger: new Logger({ serviceName: 'export-usage' }),
  }),
);
