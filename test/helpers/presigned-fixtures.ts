import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignedRequest } from '../../local/s3/sigv4-verifier.ts';

/** A presigned URL (or, for POST, an upload form) made by botocore or the AWS CLI. */
export type PresignedFixture = SignedRequest & {
  tool: string;
  /** X-Amz-Date of the signature: `20261122T113226Z`. */
  signedAt: string;
  fields?: Record<string, string>;
};

/** The committed fixtures of test/fixtures/presigned (made by generate.py). */
export function readPresignedFixtures(): PresignedFixture[] {
  return JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../fixtures/presigned/botocore-presigned.json'),
      'utf8',
    ),
  ) as PresignedFixture[];
}

/** The time an X-Amz-Date names. */
export function amzDateToDate(amzDate: string): Date {
  return new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
}
