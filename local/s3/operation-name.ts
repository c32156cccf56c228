/** What a request addresses, as the access log emulator needs it to name the operation. */
export interface S3RequestTarget {
  method: string;
  bucket: string;
  /** Decoded object key, or null for a bucket-level request. */
  key: string | null;
  /** Names of the query parameters present. */
  queryNames: ReadonlySet<string>;
  /** True when the request carries `x-amz-copy-source`. */
  copySource: boolean;
}

// Sub-resources that rename a bucket-level operation, as S3 names them in its logs.
const BUCKET_SUBRESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['versioning', 'VERSIONING'],
  ['logging', 'LOGGING_STATUS'],
  ['policy', 'BUCKETPOLICY'],
  ['location', 'LOCATION'],
  ['tagging', 'TAGGING'],
  ['acl', 'ACL'],
  ['cors', 'CORS'],
  ['website', 'WEBSITE'],
  ['lifecycle', 'LIFECYCLE'],
  ['notification', 'NOTIFICATION'],
  ['uploads', 'UPLOADS'],
  ['versions', 'BUCKETVERSIONS'],
  ['delete', 'MULTI_OBJECT_DELETE'],
];

const OBJECT_SUBRESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['acl', 'ACL'],
  ['tagging', 'OBJECT_TAGGING'],
  ['uploads', 'UPLOADS'],
  ['restore', 'RESTORE'],
];

/**
 * Names a REST request the way S3 writes it in the Operation field: `REST.GET.OBJECT`,
 * `REST.PUT.PART`, `REST.POST.UPLOAD` (multipart completion), `REST.COPY.OBJECT`, …
 * A browser form upload (POST to the bucket) is `REST.POST.OBJECT`.
 */
export function nameS3Operation(target: S3RequestTarget): string {
  const method = target.method.toUpperCase();
  const has = (name: string) => target.queryNames.has(name);
  const named = (resource: string) => `REST.${method}.${resource}`;
  if (target.key === null) {
    if (method === 'POST' && !has('delete')) return named('OBJECT');
    const sub = BUCKET_SUBRESOURCES.find(([name]) => has(name));
    return named(sub ? sub[1] : 'BUCKET');
  }
  if (has('uploadId')) {
    if (method === 'PUT') return target.copySource ? 'REST.COPY.PART' : named('PART');
    return named('UPLOAD');
  }
  const sub = OBJECT_SUBRESOURCES.find(([name]) => has(name));
  if (sub) return named(sub[1]);
  if (method === 'PUT' && target.copySource) return 'REST.COPY.OBJECT';
  return named('OBJECT');
}
