import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type ContributionEvent,
  cloudEventsSource,
  postCloudEvents,
} from '../../shared/billing/cloudevents-export.ts';
import { loadExportCloudEventsConfig } from '../../shared/config.ts';
import { createExportCloudEventsHandler } from './export-cloudevents.ts';

// Wiring only, once per cold start: a bad setting fails here, before any batch.
const config = loadExportCloudEventsConfig(process.env);
const { endpoint, tokenSecretArn } = config;
let post: Promise<(events: ContributionEvent[]) => Promise<void>> | undefined;

/** The endpoint's poster, with the token read once per container (never logged). */
function poster(url: string) {
  post ??= (
    tokenSecretArn === undefined
      ? Promise.resolve(undefined)
      : new SecretsManagerClient({})
          .send(new GetSecretValueCommand({ SecretId: tokenSecretArn }))
          .then(({ SecretString }) => SecretString?.trim())
  )
    .then((token) => postCloudEvents(url, token))
    .catch((error: unknown) => {
      post = undefined;
      throw error;
    });
  return post;
}

export const handler = createExportCloudEventsHandler({
  deliver: endpoint === undefined ? undefined : async (events) => (await poster(endpoint))(events),
  source: cloudEventsSource(config.tableName),
  logger: new Logger({ serviceName: 'export-cloudevents' }),
});
