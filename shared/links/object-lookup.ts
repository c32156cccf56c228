import { HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';

/** Whether objects exist in the content bucket. */
export interface ObjectLookup {
  exists(bucket: string, key: string): Promise<boolean>;
}

/**
 * HeadObject: a 404 means no such object. S3 answers 403 instead of 404 to a caller without
 * `s3:ListBucket` on the bucket, so the function's role has it; a 403 here is a fault, not
 * "missing".
 */
export function createS3ObjectLookup(client: S3Client): ObjectLookup {
  return {
    async exists(bucket, key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (error instanceof NotFound) return false;
        throw error;
      }
    },
  };
}
