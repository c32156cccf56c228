/**
 * The fields of an S3 server access log record, in the order S3 writes them.
 * `quoted` fields are enclosed in `"` (S3 does not escape quotes inside them).
 * The first 17 fields are present in every record ever written; later ones were
 * appended over the years (Version Id ≈2010, Host Id … TLS version 2019, Access
 * Point ARN 2021, aclRequired 2022, Source Region 2026).
 */
export const ACCESS_LOG_FIELDS = [
  { name: 'bucketOwner', quoted: false },
  { name: 'bucket', quoted: false },
  { name: 'time', quoted: false },
  { name: 'remoteIp', quoted: false },
  { name: 'requester', quoted: false },
  { name: 'requestId', quoted: false },
  { name: 'operation', quoted: false },
  { name: 'key', quoted: false },
  { name: 'requestUri', quoted: true },
  { name: 'httpStatus', quoted: false },
  { name: 'errorCode', quoted: false },
  { name: 'bytesSent', quoted: false },
  { name: 'objectSize', quoted: false },
  { name: 'totalTime', quoted: false },
  { name: 'turnAroundTime', quoted: false },
  { name: 'referrer', quoted: true },
  { name: 'userAgent', quoted: true },
  { name: 'versionId', quoted: false },
  { name: 'hostId', quoted: false },
  { name: 'signatureVersion', quoted: false },
  { name: 'cipherSuite', quoted: false },
  { name: 'authType', quoted: false },
  { name: 'hostHeader', quoted: false },
  { name: 'tlsVersion', quoted: false },
  { name: 'accessPointArn', quoted: false },
  { name: 'aclRequired', quoted: false },
  { name: 'sourceRegion', quoted: false },
] as const;

/** Fewest fields a record can have (the oldest format, before Version Id). */
export const MIN_ACCESS_LOG_FIELDS = 17;

/** Fields in the current (2026) format. */
export const CURRENT_ACCESS_LOG_FIELDS = ACCESS_LOG_FIELDS.length;

/** English month abbreviations, as strftime `%b` writes them in the Time field. */
export const MONTH_ABBREVIATIONS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** The largest object S3 stores, so the most one request can send or size: 5 TiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 4;

/** S3 logs times in milliseconds; no request is in flight for a day. */
export const MAX_REQUEST_MILLISECONDS = 24 * 3600 * 1000;

/** Time-zone offsets run from -12:00 to +14:00; anything beyond is not a real offset. */
export const MAX_OFFSET_MINUTES = 14 * 60;
