import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadIssueLinkConfig } from '../../shared/config.ts';
import { SIGNING_CLIENT_CONFIG } from '../../shared/links/link-signer.ts';
import { signingKeysFromSecret } from '../../shared/links/signing-keys.ts';
import { createIssueLinkHandler } from './issue-link.ts';
import { createIssueLinkDeps } from './issue-link-deps.ts';

/** Signs with the signing user's keys, read from the secret at the first link. */
function signingUserClient(secretArn: string): S3Client {
  const secrets = new SecretsManagerClient({});
  return new S3Client({
    ...SIGNING_CLIENT_CONFIG,
    credentials: signingKeysFromSecret(
      async () =>
        (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString,
    ),
  });
}

// Wiring only, once per cold start: a bad setting fails here, before any request.
const config = loadIssueLinkConfig(process.env);

export const handler = createIssueLinkHandler(
  createIssueLinkDeps({
    config,
    s3: new S3Client({ ...SIGNING_CLIENT_CONFIG }),
    // Without a signing user, links die with the role's session (docs/deploy.md).
    ...(config.signingSecretArn === undefined
      ? {}
      : { signingS3: signingUserClient(config.signingSecretArn) }),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logger: new Logger({ serviceName: 'issue-link' }),
  }),
);
