import { join } from 'node:path';
import { createLocalS3Client } from './clients.ts';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { findFreePort } from './free-port.ts';
import {
  createLogDeliveryIdentity,
  LINK_SIGNER_IDENTITY,
  LOCAL_SIGNERS,
  operatorIdentity,
} from './identities.ts';
import { LOCAL_DEFAULTS } from './defaults.ts';
import { DEFAULT_CACHE_DIR } from './local-credentials.ts';
import {
  type BucketLogging,
  type LocalS3,
  type ObjectCreatedNotification,
  startLocalS3,
} from './s3/local-s3.ts';

/** The local stack's region, in every ARN and signature. */
export const LOCAL_REGION = LOCAL_DEFAULTS.region;
/** The canonical user id written as Bucket Owner (and Requester) in local access logs. */
export const LOCAL_OWNER_ID = '0d5a1e0c5b1f4e6a9c3d2b7a8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b';

export interface LocalStackOptions {
  /** Use this running DynamoDB Local instead of starting one (it is then not stopped). */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB and S3 data here across restarts; default: in memory / a temporary folder. */
  dataDir?: string;
  /** Unset or 0: a free port. */
  dynamodbPort?: number;
  /** Unset or 0: a free port. */
  s3Port?: number;
  buckets?: readonly string[];
  logging?: readonly BucketLogging[];
  notifications?: readonly ObjectCreatedNotification[];
  /** How often access logs are delivered (ms); 0: only on `deliverLogs()`. Default 5000. */
  logDeliveryIntervalMs?: number;
  onNotificationError?: (error: unknown) => void;
  cacheDir?: string;
  /** Told what takes long (the one-time DynamoDB Local download). */
  say?: (line: string) => void;
}

export interface LocalStack {
  region: string;
  /** The operator's, for S3 and DynamoDB (docs/local-stack.md lists every identity). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The link API's own identity, whose presigned requests are the only ones billed. */
  signerCredentials: { accessKeyId: string; secretAccessKey: string };
  /** What the metering takes as `SIGNER_ARNS`. */
  signers: readonly string[];
  endpoints: { dynamodb: string; s3: string };
  /** Process id of the DynamoDB Local this stack started (undefined when it reuses one). */
  dynamodbPid: number | undefined;
  s3: LocalS3;
  /** Stops everything this stack started, and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts the local AWS stack on 127.0.0.1: DynamoDB Local and the local S3 server (SigV4
 * checks, server access logging, object-created notifications), on free ports by default.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dynamodb =
    options.dynamodbEndpoint === undefined
      ? await startDynamoDbLocal({
          cacheDir: options.cacheDir ?? DEFAULT_CACHE_DIR,
          ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'dynamodb') }),
          ...(options.dynamodbPort === undefined ? {} : { port: options.dynamodbPort }),
          ...(options.say === undefined ? {} : { say: options.say }),
        })
      : undefined;
  const operator = operatorIdentity();
  try {
    const logWriter = createLogDeliveryIdentity();
    const s3 = await startLocalS3({
      port: options.s3Port || (await findFreePort()),
      region: LOCAL_REGION,
      identities: [operator, LINK_SIGNER_IDENTITY],
      logWriter,
      ownerId: LOCAL_OWNER_ID,
      buckets: options.buckets ?? [],
      logging: options.logging ?? [],
      notifications: options.notifications ?? [],
      logDeliveryIntervalMs: options.logDeliveryIntervalMs ?? 5000,
      ...(options.dataDir === undefined
        ? {}
        : {
            directory: join(options.dataDir, 's3'),
            spoolDirectory: join(options.dataDir, 'access-log-spool'),
          }),
      onNotificationError:
        options.onNotificationError ??
        ((error) => process.stderr.write(`object-created notification failed: ${String(error)}\n`)),
      createClient: (endpoint) =>
        createLocalS3Client({ endpoint, region: LOCAL_REGION, credentials: logWriter }),
    });
    return {
      region: LOCAL_REGION,
      credentials: { accessKeyId: operator.accessKeyId, secretAccessKey: operator.secretAccessKey },
      signerCredentials: {
        accessKeyId: LINK_SIGNER_IDENTITY.accessKeyId,
        secretAccessKey: LINK_SIGNER_IDENTITY.secretAccessKey,
      },
      signers: LOCAL_SIGNERS,
      endpoints: {
        dynamodb: dynamodb?.endpoint ?? options.dynamodbEndpoint ?? '',
        s3: s3.endpoint,
      },
      dynamodbPid: dynamodb?.pid,
      s3,
      async stop() {
        try {
          await s3.stop();
        } finally {
          await dynamodb?.stop();
        }
      },
    };
  } catch (error) {
    await dynamodb?.stop();
    throw error;
  }
}
