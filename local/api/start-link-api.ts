import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createIssueLinkHandler,
  ISSUE_LINK_ROUTES,
} from '../../functions/issue-link/issue-link.ts';
import { createIssueLinkDeps } from '../../functions/issue-link/issue-link-deps.ts';
import { loadIssueLinkConfig } from '../../shared/config.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { createLocalClients, createLocalS3Client } from '../clients.ts';
import { ensureTable } from '../dynamodb/create-table.ts';
import type { LocalStack } from '../local-stack.ts';
import { usagePageRoutes } from '../usage-page/usage-page-routes.ts';
import { type LocalApi, startLocalApi } from './local-api-server.ts';

/**
 * The link API on the local stack, as in AWS: creates the table if needed and serves the
 * issue-link handler over HTTP. Link settings (LINK_MAX_EXPIRES_IN, …) come from `env`.
 * With `usagePage`, it also serves the local usage page at `/`.
 */
export async function startLinkApi(options: {
  stack: Pick<LocalStack, 'region' | 'credentials' | 'signerCredentials' | 'endpoints'>;
  tableName: string;
  contentBucket: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  usagePage?: { logBucket: string; logPrefix: string };
  port?: number;
}): Promise<LocalApi> {
  // The link API reaches S3 as its own identity, as the Lambda does with its role; the
  // table is the operator's database of DynamoDB Local (which keeps one per access key).
  // The usage page reads the log bucket as the operator.
  const { dynamodb, s3: operatorS3 } = createLocalClients(options.stack);
  const s3 = createLocalS3Client({
    endpoint: options.stack.endpoints.s3,
    region: options.stack.region,
    credentials: options.stack.signerCredentials,
  });
  try {
    await ensureTable(dynamodb, options.tableName);
    const config = loadIssueLinkConfig({
      ...options.env,
      TABLE_NAME: options.tableName,
      CONTENT_BUCKET: options.contentBucket,
    });
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const handler = createIssueLinkHandler(
      createIssueLinkDeps({ config, s3, documents, logger: options.logger }),
    );
    const api = await startLocalApi({
      handler,
      routeKeys: ISSUE_LINK_ROUTES,
      ...(options.usagePage === undefined
        ? {}
        : {
            local: usagePageRoutes({
              ...options.usagePage,
              store: new DynamoDbUsageStore(documents, options.tableName),
              s3: operatorS3,
              now: () => new Date(),
            }),
          }),
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    return {
      url: api.url,
      async stop() {
        await api.stop();
        dynamodb.destroy();
        s3.destroy();
        operatorS3.destroy();
      },
    };
  } catch (error) {
    dynamodb.destroy();
    s3.destroy();
    operatorS3.destroy();
    throw error;
  }
}
