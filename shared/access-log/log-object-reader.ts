import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LineSource } from './read-lines.ts';

/** Opens log objects for reading. */
export type LogObjectOpener = (bucket: string, key: string) => Promise<LineSource>;

/**
 * Streams a log object from S3: the body is read as it arrives, never held whole, so a
 * 1 GB object meters in a 256 MB Lambda. A failed read throws, so that Lambda retries.
 */
export function createS3LogObjectOpener(client: S3Client): LogObjectOpener {
  return async (bucket, key) => {
    const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return Body as AsyncIterable<Uint8Array>;
  };
}
