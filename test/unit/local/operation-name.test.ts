import { describe, expect, it } from 'vitest';
import { nameS3Operation } from '../../../local/s3/operation-name.ts';

const request = (method: string, key: string | null, query: string[] = [], copySource = false) => ({
  method,
  bucket: 'content',
  key,
  queryNames: new Set(query),
  copySource,
});

describe('nameS3Operation', () => {
  it.each([
    ['GET', 'a.txt', [], false, 'REST.GET.OBJECT'],
    ['HEAD', 'a.txt', [], false, 'REST.HEAD.OBJECT'],
    ['PUT', 'a.txt', ['x-id'], false, 'REST.PUT.OBJECT'],
    ['DELETE', 'a.txt', [], false, 'REST.DELETE.OBJECT'],
    ['PUT', 'a.txt', [], true, 'REST.COPY.OBJECT'],
    ['POST', 'a.txt', ['uploads'], false, 'REST.POST.UPLOADS'],
    ['PUT', 'a.txt', ['partNumber', 'uploadId'], false, 'REST.PUT.PART'],
    ['PUT', 'a.txt', ['partNumber', 'uploadId'], true, 'REST.COPY.PART'],
    ['POST', 'a.txt', ['uploadId'], false, 'REST.POST.UPLOAD'],
    ['DELETE', 'a.txt', ['uploadId'], false, 'REST.DELETE.UPLOAD'],
    ['GET', 'a.txt', ['tagging'], false, 'REST.GET.OBJECT_TAGGING'],
    ['GET', 'a.txt', ['acl'], false, 'REST.GET.ACL'],
    ['GET', null, [], false, 'REST.GET.BUCKET'],
    ['GET', null, ['list-type', 'prefix'], false, 'REST.GET.BUCKET'],
    ['HEAD', null, [], false, 'REST.HEAD.BUCKET'],
    ['GET', null, ['versioning'], false, 'REST.GET.VERSIONING'],
    ['GET', null, ['logging'], false, 'REST.GET.LOGGING_STATUS'],
    ['GET', null, ['policy'], false, 'REST.GET.BUCKETPOLICY'],
    ['GET', null, ['location'], false, 'REST.GET.LOCATION'],
    ['POST', null, ['delete'], false, 'REST.POST.MULTI_OBJECT_DELETE'],
    ['POST', null, [], false, 'REST.POST.OBJECT'],
  ] as const)(
    'names %s of key %s with query %j (copy: %s) %s',
    (method, key, query, copy, expected) => {
      expect(nameS3Operation(request(method, key, [...query], copy))).toBe(expected);
    },
  );
});
