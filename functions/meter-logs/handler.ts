import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadMeterLogsConfig } from '../../shared/config.ts';
import { createMeterLogsHandler } from './meter-logs.ts';
import { createMeterLogsDeps } from './meter-logs-deps.ts';

// Wiring only, once per cold start: a bad setting fails here, before any log object.
export const handler = createMeterLogsHandler({
  ...createMeterLogsDeps({
    config: loadMeterLogsConfig(process.env),
    s3: new S3Client({}),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logger: new Logger({ serviceName: 'meter-logs' }),
  }),
  // The stage's namespace comes from POWERTOOLS_METRICS_NAMESPACE (serverless.yml).
  metrics: new Metrics({ serviceName: 'meter-logs' }),
});
