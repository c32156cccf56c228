// What the local S3 front (SigV4 check + access log record) costs per request: the same
// presigned 64 KiB GET against the local stack's S3 and against bare s3rver, in one run.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { createLocalS3Client } from '../../local/clients.ts';
import { findFreePort } from '../../local/free-port.ts';
import { createLogDeliveryIdentity, operatorIdentity } from '../../local/identities.ts';
import { localCredentials } from '../../local/local-credentials.ts';
import { LOCAL_REGION } from '../../local/local-stack.ts';
import { type LocalS3, startLocalS3 } from '../../local/s3/local-s3.ts';

const BODY = randomBytes(64 * 1024);
let front: LocalS3;
let bare: S3rver;
let bareDir: string;
let frontUrl: string;
let bareUrl: string;

async function presignedUrlFor(endpoint: string): Promise<string> {
  const client = createLocalS3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: localCredentials(),
  });
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'object.bin', Body: BODY }));
  const url = await getSignedUrl(
    client,
    new GetObjectCommand({ Bucket: 'bench', Key: 'object.bin' }),
    {
      expiresIn: 3600,
    },
  );
  client.destroy();
  return url;
}

beforeAll(async () => {
  const logWriter = createLogDeliveryIdentity();
  front = await startLocalS3({
    port: await findFreePort(),
    region: LOCAL_REGION,
    identities: [operatorIdentity()],
    logWriter,
    ownerId: 'bench-owner',
    buckets: ['bench', 'bench-logs'],
    logging: [{ sourceBucket: 'bench', targetBucket: 'bench-logs', targetPrefix: 'logs/' }],
    notifications: [],
    logDeliveryIntervalMs: 1000,
    onNotificationError: () => {},
    createClient: (endpoint) =>
      createLocalS3Client({ endpoint, region: LOCAL_REGION, credentials: logWriter }),
  });
  frontUrl = await presignedUrlFor(front.endpoint);
  bareDir = await mkdtemp(join(tmpdir(), 'bench-s3rver-'));
  const port = await findFreePort();
  bare = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: bareDir,
    configureBuckets: [{ name: 'bench' }],
  });
  await bare.run();
  bareUrl = await presignedUrlFor(`http://127.0.0.1:${port}`);
});

afterAll(async () => {
  await front?.stop();
  await bare?.close();
  await rm(bareDir, { recursive: true, force: true });
});

async function download(url: string): Promise<void> {
  const response = await fetch(url);
  const size = (await response.arrayBuffer()).byteLength;
  if (size !== BODY.length) throw new Error(`got ${size} bytes`);
}

describe('presigned 64 KiB GET', () => {
  bench('bare s3rver (baseline)', () => download(bareUrl), { time: 3000 });
  bench('local S3: SigV4 check + access log', () => download(frontUrl), { time: 3000 });
});
