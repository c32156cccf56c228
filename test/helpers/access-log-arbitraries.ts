import fc from 'fast-check';
import { ACCESS_LOG_FIELDS, type AccessLogRecord } from '../../shared/access-log/index.ts';

// Bare tokens: no space (S3 never writes one inside them), not empty, and not `-` (which
// means null). Some carry quotes, to show that only the three quoted fields are special.
export const token = fc.stringMatching(/^[!#-~]{1,24}$/).filter((t) => t !== '-');
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
// Every value S3 can write: sizes up to 5 TiB, times up to a day (in ms).
const bytes = nullable(fc.oneof(fc.nat(), fc.integer({ min: 2 ** 31, max: 5 * 1024 ** 4 })));
const milliseconds = nullable(fc.integer({ min: 0, max: 24 * 3600 * 1000 }));

// Quoted fields may hold spaces and raw quotes. The format itself is ambiguous when a quote
// inside one is followed by what looks like the next field (S3 does not escape): a
// Request-URI holding `" 200 `, a Referer holding `" "`. Such values are left out here;
// `next` is what follows the closing quote in the line.
const quoted = fc.string({
  unit: fc.constantFrom('a', 'Z', '/', '?', '=', '&', '%', ' ', '"', '\\', '-', '1', 'é'),
});
const unambiguous = (text: string, next: string, looksLikeNextField: RegExp) =>
  text.split('').every((c, i) => c !== '"' || !looksLikeNextField.test(`${text.slice(i)}"${next}`));
const requestUri = quoted.filter((t) => t !== '-' && unambiguous(t, ' 200 ', /^" +(-|\d{3})( |$)/));
const referrer = quoted.filter((t) => t !== '-' && unambiguous(t, ' "ua"', /^" +("|-( |$))/));
const userAgent = quoted.filter((t) => t !== '-');

const isoTime = fc
  .date({
    min: new Date('2006-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => `${d.toISOString().slice(0, 19)}Z`);

const hostId = fc.oneof(
  token,
  // The two-part form: "<20 or 21 upper-case letters and digits> <base64 of 40+ characters>".
  fc
    .tuple(fc.stringMatching(/^[A-Z0-9]{20,21}$/), fc.stringMatching(/^[A-Za-z0-9+/]{40,60}=?$/))
    .map(([head, tail]) => `${head} ${tail}`),
);

export const record: fc.Arbitrary<AccessLogRecord> = fc.record({
  bucketOwner: nullable(token),
  bucket: nullable(token),
  time: nullable(isoTime),
  remoteIp: nullable(token),
  requester: nullable(token),
  requestId: nullable(token),
  operation: nullable(token),
  key: nullable(token),
  requestUri: nullable(requestUri),
  httpStatus: nullable(fc.integer({ min: 100, max: 599 })),
  errorCode: nullable(token),
  bytesSent: bytes,
  objectSize: bytes,
  totalTime: milliseconds,
  turnAroundTime: milliseconds,
  referrer: nullable(referrer),
  userAgent: nullable(userAgent),
  versionId: nullable(token),
  hostId: nullable(hostId),
  signatureVersion: nullable(fc.constantFrom('SigV2', 'SigV4')),
  cipherSuite: nullable(token),
  authType: nullable(fc.constantFrom('AuthHeader', 'QueryString')),
  hostHeader: nullable(token),
  tlsVersion: nullable(token),
  accessPointArn: nullable(token),
  aclRequired: nullable(fc.constantFrom('Yes')),
  sourceRegion: nullable(token),
  extraFields: fc.constant([]),
});

/** What a record of `fieldCount` fields holds: the fields it does not have are null. */
export function truncateTo(
  value: AccessLogRecord,
  fieldCount: number,
  extras: string[],
): AccessLogRecord {
  const copy = { ...value, extraFields: fieldCount === 27 ? extras : [] };
  for (const { name } of ACCESS_LOG_FIELDS.slice(fieldCount)) copy[name] = null;
  return copy;
}
