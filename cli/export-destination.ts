import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type PeriodFile, putPeriodFiles } from '../shared/billing/period-files.ts';
import { UsageError } from './command.ts';

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/**
 * Writes export files to `s3://bucket/prefix/` or a local folder (created if missing); the
 * places written. A local file is written beside its name and renamed over it, so a reader
 * never sees half a file.
 */
export async function writeExportFiles(
  to: string,
  files: readonly PeriodFile[],
  s3: S3Client,
): Promise<string[]> {
  if (to.startsWith('s3:')) {
    const match = S3_URL.exec(to);
    if (match === null)
      throw new UsageError(`--to must be s3://bucket/prefix/ or a folder; got '${to}'`);
    const [, bucket = '', rawPrefix = ''] = match;
    const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
    const keys = await putPeriodFiles(s3, bucket, prefix, files);
    return keys.map((key) => `s3://${bucket}/${key}`);
  }
  await mkdir(to, { recursive: true });
  for (const file of files) {
    const path = join(to, file.name);
    await writeFile(`${path}.partial`, file.body);
    await rename(`${path}.partial`, path);
  }
  return files.map((file) => join(to, file.name));
}
