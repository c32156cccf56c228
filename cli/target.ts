import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalDynamoDbClient, createLocalS3Client } from '../local/clients.ts';
import { LINK_SIGNER_IDENTITY } from '../local/identities.ts';
import { localCredentials } from '../local/local-credentials.ts';
import { SIGNING_CLIENT_CONFIG } from '../shared/links/link-signer.ts';
import { UsageError } from './command.ts';
import { LOCAL_DEFAULTS } from '../local/defaults.ts';
import { findRunningStack, type RunningStack } from '../local/running-stack.ts';

/** The options every command that reads or writes the table takes. */
export const TARGET_OPTIONS = {
  local: { type: 'boolean', default: false },
  'dynamodb-endpoint': { type: 'string' },
  's3-endpoint': { type: 'string' },
  table: { type: 'string' },
  bucket: { type: 'string' },
} as const;

export const TARGET_USAGE = `Where:
  --local                    the stack 'npm start' is running, on whatever ports: its table
                             and content bucket (${LOCAL_DEFAULTS.table}, ${LOCAL_DEFAULTS.contentBucket}); an error when none runs
  --dynamodb-endpoint <url>  a local DynamoDB elsewhere (implies the local credentials)
  --s3-endpoint <url>        a local S3 elsewhere (implies the local credentials)
  --table <name>             the table (default: $TABLE_NAME)
  --bucket <name>            the content bucket (default: $CONTENT_BUCKET)
Without --local or endpoints, the AWS SDK finds credentials and region as usual
(AWS_PROFILE, AWS_REGION, …) and works on the deployed stack.`;

interface TargetValues {
  local?: boolean;
  'dynamodb-endpoint'?: string;
  's3-endpoint'?: string;
  table?: string;
  bucket?: string;
}

/** Clients for the table and the content bucket, and the environment the settings come from. */
export interface Target {
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  /**
   * The client that signs links: on the local stack, the link API's own identity (so that
   * the links bill like the API's); on AWS, the caller's own credentials.
   */
  signingS3: S3Client;
  /** `env` with TABLE_NAME and CONTENT_BUCKET set from the options. */
  env: NodeJS.ProcessEnv;
  /** The table name, or a usage error saying how to give one. */
  tableName(): string;
  close(): void;
}

/**
 * Connects to the local stack or to AWS, as the options say. `--local` is the stack that
 * `npm start` recorded as running (`notify` is told which); none running is a usage error.
 */
export function openTarget(
  values: TargetValues,
  env: NodeJS.ProcessEnv,
  notify: (line: string) => void = () => {},
): Target {
  const local = values.local === true ? reachRunningStack(env, notify) : undefined;
  const dynamodbEndpoint = values['dynamodb-endpoint'] ?? local?.dynamodb;
  const s3Endpoint = values['s3-endpoint'] ?? local?.s3;
  const reach = (endpoint: string) => ({
    endpoint,
    region: LOCAL_DEFAULTS.region,
    credentials: localCredentials(),
  });
  const dynamodb =
    dynamodbEndpoint === undefined
      ? new DynamoDBClient({})
      : createLocalDynamoDbClient(reach(dynamodbEndpoint));
  const s3 =
    s3Endpoint === undefined
      ? new S3Client({ ...SIGNING_CLIENT_CONFIG })
      : createLocalS3Client(reach(s3Endpoint));
  const signingS3 =
    s3Endpoint === undefined
      ? s3
      : createLocalS3Client({
          endpoint: s3Endpoint,
          region: LOCAL_DEFAULTS.region,
          credentials: {
            accessKeyId: LINK_SIGNER_IDENTITY.accessKeyId,
            secretAccessKey: LINK_SIGNER_IDENTITY.secretAccessKey,
          },
        });
  const tableName = values.table ?? local?.table ?? env.TABLE_NAME;
  const bucket = values.bucket ?? local?.contentBucket ?? env.CONTENT_BUCKET;
  return {
    documents: DynamoDBDocumentClient.from(dynamodb),
    s3,
    signingS3,
    env: {
      ...env,
      ...(tableName === undefined ? {} : { TABLE_NAME: tableName }),
      ...(bucket === undefined ? {} : { CONTENT_BUCKET: bucket }),
    },
    tableName() {
      if (tableName === undefined || tableName === '') {
        throw new UsageError('which table? Pass --local, --table <name> or set TABLE_NAME');
      }
      return tableName;
    },
    close() {
      dynamodb.destroy();
      s3.destroy();
      signingS3.destroy();
    },
  };
}

/** The stack `npm start` runs, or a usage error that says how to start one. */
function reachRunningStack(env: NodeJS.ProcessEnv, notify: (line: string) => void): RunningStack {
  const stack = findRunningStack(env);
  if (stack === undefined) {
    throw new UsageError(
      'no local stack is running: start one with npm start (or name one with --dynamodb-endpoint and --s3-endpoint)',
    );
  }
  notify(
    `local stack of npm start (pid ${stack.pid}): DynamoDB ${stack.dynamodb}, S3 ${stack.s3}\n`,
  );
  return stack;
}
