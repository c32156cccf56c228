import { parseLogTime, type AccessLogRecord } from '../../shared/access-log/index.ts';

/**
 * The regular expression of AWS's published Athena table for S3 access logs (the 26-column
 * version of 2022-11), anchored as Hive's RegexSerDe matches it (whole line). See
 * docs/access-log-format.md.
 */
export const ATHENA_REGEX =
  /^([^ ]*) ([^ ]*) \[(.*?)\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$/;

const text = (value: string | undefined): string | null =>
  value === undefined || value === '' || value === '-' ? null : value;
const unquote = (value: string | undefined): string | null => text(value?.replace(/^"|"$/g, ''));
const num = (value: string | undefined): number | null =>
  text(value) === null ? null : Number(value);

/** What Athena would give for a line, as a record; null where the regex does not match. */
export function parseWithAthenaRegex(line: string): AccessLogRecord | null {
  const m = ATHENA_REGEX.exec(line);
  if (m === null) return null;
  return {
    bucketOwner: text(m[1]),
    bucket: text(m[2]),
    time: m[3] === undefined ? null : (parseLogTime(m[3]) ?? null),
    remoteIp: text(m[4]),
    requester: text(m[5]),
    requestId: text(m[6]),
    operation: text(m[7]),
    key: text(m[8]),
    requestUri: unquote(m[9]),
    httpStatus: num(m[10]),
    errorCode: text(m[11]),
    bytesSent: num(m[12]),
    objectSize: num(m[13]),
    totalTime: num(m[14]),
    turnAroundTime: num(m[15]),
    referrer: unquote(m[16]),
    userAgent: unquote(m[17]),
    versionId: text(m[18]),
    hostId: text(m[19]),
    signatureVersion: text(m[20]),
    cipherSuite: text(m[21]),
    authType: text(m[22]),
    hostHeader: text(m[23]),
    tlsVersion: text(m[24]),
    accessPointArn: text(m[25]),
    aclRequired: text(m[26]),
    sourceRegion: null,
    extraFields: [],
  };
}
