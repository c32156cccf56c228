import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
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

/** A listed object: its key and ETag. */
export interface ListedObject {
  key: string;
  etag?: string;
}

/**
 * Lists the log objects under `prefix`, oldest first (S3 names them by delivery time),
 * starting after `startAfter` when given: `logs/2026-11-20` lists from that day on.
 */
export async function* listLogObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  startAfter?: string,
): AsyncGenerator<ListedObject> {
  const pages = paginateListObjectsV2(
    { client },
    {
      Bucket: bucket,
      Prefix: prefix,
      ...(startAfter === undefined ? {} : { StartAfter: startAfter }),
    },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield {
        key: object.Key,
        ...(object.ETag === undefined ? {} : { etag: object.ETag.replace(/"/g, '') }),
      };
    }
  }
}
