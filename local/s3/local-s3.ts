import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import s3rverAccounts from 's3rver/lib/models/account.js';
import { AccessLogDelivery, type LogTarget } from './access-log-delivery.ts';
import { buildObjectCreatedEvent, type CreatedObject } from './object-created-event.ts';
import type { LocalIdentity } from '../identities.ts';
import { createS3Front, type S3rverCreation } from './s3-front.ts';

/** Server access logging of one bucket, as `PutBucketLogging` would configure it. */
export interface BucketLogging extends LogTarget {
  sourceBucket: string;
}

/** An S3 event notification: objects created under `prefix` in `bucket` go to `handler`. */
export interface ObjectCreatedNotification {
  bucket: string;
  prefix?: string;
  handler: (event: S3Event) => Promise<void> | void;
}

export interface LocalS3Options {
  port: number;
  region: string;
  /** The access keys S3 accepts, each logged as its Requester ARN. */
  identities: readonly LocalIdentity[];
  /** The logging emulator's own identity: the only one that may write a log bucket. */
  logWriter: LocalIdentity;
  /** Canonical user id of the account owning the buckets (Bucket Owner in the logs). */
  ownerId: string;
  buckets: readonly string[];
  logging: readonly BucketLogging[];
  notifications: readonly ObjectCreatedNotification[];
  /** Log objects are written this often; 0 writes them only on `deliverLogs()`. */
  logDeliveryIntervalMs: number;
  /** Where objects are kept; without it, a temporary folder removed on stop. */
  directory?: string;
  /**
   * Where access-log records wait for delivery (durably, see AccessLogDelivery); without it,
   * a temporary folder removed on stop. Records a crash left there are delivered at start.
   */
  spoolDirectory?: string;
  /** Called when a notification handler fails; by default the error is printed. */
  onNotificationError: (error: unknown, event: S3Event) => void;
  /** Writes log objects as `logWriter` (through the server itself, so their events fire). */
  createClient: (endpoint: string) => S3Client;
}

export interface LocalS3 {
  endpoint: string;
  /**
   * Writes the queued access log records now; resolves with the log object keys once their
   * events were handled.
   */
  deliverLogs(): Promise<string[]>;
  /** Resolves once every request so far is logged and its notifications handled. */
  settled(): Promise<void>;
  /** Delivers what is queued, then closes the server. */
  stop(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1 behind {@link createS3Front}: SigV4 checks, server access logging
 * and object-created notifications. Path-style addressing only.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 's3-usage-meter-s3-')));
  const spoolDirectory =
    options.spoolDirectory ?? (await mkdtemp(join(tmpdir(), 's3-usage-meter-access-logs-')));
  await mkdir(spoolDirectory, { recursive: true });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = options.createClient(endpoint);
  const delivery = new AccessLogDelivery(
    new Map(options.logging.map(({ sourceBucket, ...target }) => [sourceBucket, target])),
    async (bucket, key, body) => {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' }),
      );
    },
    () => new Date(),
    spoolDirectory,
  );
  const creations = new AsyncLocalStorage<S3rverCreation[]>();
  const identities = new Map(
    [...options.identities, options.logWriter].map((identity) => [identity.accessKeyId, identity]),
  );
  for (const { accessKeyId, secretAccessKey } of identities.values()) {
    s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  }
  const front = createS3Front({
    region: options.region,
    ownerId: options.ownerId,
    identityFor: (id) => identities.get(id),
    logWriter: options.logWriter.accessKeyId,
    logBuckets: new Set(options.logging.map((logging) => logging.targetBucket)),
    delivery,
    creations,
    onObjectCreated: (object) => notify(options, object),
    now: () => new Date(),
  });

  const app = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory,
    vhostBuckets: false,
    // The front checks every signature; s3rver's own check covers SigV2 only.
    allowMismatchedSignatures: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  app.middleware.unshift(front.middleware);
  app.on('event', (event: S3rverEvent) => {
    const record = event.Records[0];
    if (!record?.eventName.startsWith('ObjectCreated:')) return;
    creations.getStore()?.push({
      eventName: record.eventName,
      bucket: record.s3.bucket.name,
      key: record.s3.object.key,
      size: Number(record.s3.object.size ?? 0),
      eTag: String(record.s3.object.eTag ?? '').replace(/"/g, ''),
    });
  });
  await app.run();
  const server = app.httpServer as Server;
  // Records a crashed process left behind: delivered now, before any new one.
  await delivery.deliver();

  const timer =
    options.logDeliveryIntervalMs > 0
      ? setInterval(() => {
          delivery.deliver().catch((error: unknown) => {
            process.stderr.write(`access log delivery failed, will retry: ${String(error)}\n`);
          });
        }, options.logDeliveryIntervalMs)
      : undefined;
  timer?.unref();

  const deliverLogs = async () => {
    await front.settled();
    const keys = await delivery.deliver();
    await front.settled();
    return keys;
  };

  return {
    endpoint,
    deliverLogs,
    settled: () => front.settled(),
    async stop() {
      clearInterval(timer);
      try {
        await deliverLogs();
      } finally {
        client.destroy();
        const closed = app.close();
        server.closeAllConnections();
        await closed;
        if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
        if (options.spoolDirectory === undefined) {
          await rm(spoolDirectory, { recursive: true, force: true });
        }
      }
    },
  };
}

/** The part of s3rver's own event payload that the emulator reads. */
interface S3rverEvent {
  Records: Array<{
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  }>;
}

async function notify(options: LocalS3Options, object: CreatedObject): Promise<void> {
  const matching = options.notifications.filter(
    (n) => n.bucket === object.bucket && object.key.startsWith(n.prefix ?? ''),
  );
  for (const notification of matching) {
    const event = buildObjectCreatedEvent(object);
    try {
      await notification.handler(event);
    } catch (error) {
      options.onNotificationError(error, event);
    }
  }
}
