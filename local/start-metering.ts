import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { createMeterLogsHandler } from '../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../functions/meter-logs/meter-logs-deps.ts';
import { createLocalClients } from './clients.ts';
import type { LocalStack } from './local-stack.ts';

/**
 * The meter-logs handler on the local stack, as S3 would invoke it in AWS: give `meter` the
 * object-created events of the log bucket. A failed event is reported, not retried (AWS
 * would retry twice): `usage-meter reconcile` meters what was left.
 */
export function startMetering(options: {
  stack: Pick<LocalStack, 'region' | 'credentials' | 'endpoints' | 'signers'>;
  tableName: string;
  logPrefix: string;
  logger: Logger;
}): { meter: (event: S3Event) => Promise<void>; stop: () => void } {
  const { s3, dynamodb } = createLocalClients(options.stack);
  const meter = createMeterLogsHandler(
    createMeterLogsDeps({
      config: {
        tableName: options.tableName,
        logPrefix: options.logPrefix,
        signers: options.stack.signers,
      },
      s3,
      documents: DynamoDBDocumentClient.from(dynamodb),
      logger: options.logger,
    }),
  );
  return {
    meter,
    stop() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}
