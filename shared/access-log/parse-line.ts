import { MIN_ACCESS_LOG_FIELDS, MONTH_ABBREVIATIONS } from './constants.ts';
import type { AccessLogRecord } from './types.ts';

/** A parsed record, or why the line is not one. Bad input is a value, never an exception. */
export type ParseResult =
  { ok: true; record: AccessLogRecord; fieldCount: number } | { ok: false; reason: string };

const SPACE = 32;
const QUOTE = 34;
const MONTHS: ReadonlyMap<string, number> = new Map(MONTH_ABBREVIATIONS.map((m, i) => [m, i]));
const TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const STATUS = /^\d{3}$/;
const DIGITS = /^\d+$/;
// The first half of a two-part Host Id (x-amz-id-2 written as "<id> <base64>", seen in 2019 logs).
const HOST_ID_HEAD = /^[A-Z0-9]{20,21}$/;
const HOST_ID_TAIL = /^[A-Za-z0-9+/=]{40,}$/;
const SIGNATURE_VERSION = /^SigV\d$/;
const AUTH_TYPES: ReadonlySet<string> = new Set(['AuthHeader', 'QueryString']);

/**
 * Parses one line of an S3 server access log (without its newline) into a record.
 *
 * Reads every format S3 has written: 17 to 27 fields and unknown trailing ones (kept in
 * `extraFields`); unescaped `"` inside Request-URI, Referer and User-Agent; `-` or `"-"` in
 * any field (→ null); any time offset (→ UTC); a two-part Host Id; runs of spaces. A line
 * that does not fit — a truncated or interleaved record, a non-numeric status — is a
 * rejection with a reason, so no field is ever silently shifted.
 *
 * @example
 * const result = parseLine(line);
 * if (result.ok) console.log(result.record.operation, result.record.bytesSent);
 * else console.log('rejected:', result.reason);
 */
export function parseLine(line: string): ParseResult {
  const end = line.length;
  let pos = skipSpaces(line, 0);
  let fieldsRead = 0;

  const token = (): string | undefined => {
    if (pos >= end) return undefined;
    let stop = line.indexOf(' ', pos);
    if (stop === -1) stop = end;
    const value = line.slice(pos, stop);
    pos = skipSpaces(line, stop);
    fieldsRead++;
    return value;
  };
  /** Moves past a field that ends at `last` (a closing bracket or quote). */
  const endField = (last: number): void => {
    pos = skipSpaces(line, last + 1);
    fieldsRead++;
  };
  const tooFew = () =>
    reject(
      `too few fields: the line ends after field ${fieldsRead}, at least ${MIN_ACCESS_LOG_FIELDS} expected`,
    );

  const bucketOwner = token();
  const bucket = token();
  if (bucket === undefined) return tooFew();

  let time: string | null;
  if (line.charCodeAt(pos) === 0x5b /* [ */) {
    const close = line.indexOf(']', pos);
    if (close === -1) return reject('the time field has no closing ]');
    const parsed = parseLogTime(line.slice(pos + 1, close));
    if (parsed === undefined) {
      return reject(
        `the time field is not [dd/Mon/yyyy:HH:MM:SS ±hhmm]: ${line.slice(pos, close + 1)}`,
      );
    }
    time = parsed;
    endField(close);
  } else {
    const value = token();
    if (value === undefined) return tooFew();
    if (value !== '-') return reject(`the time field is not bracketed: ${value}`);
    time = null;
  }

  const remoteIp = token();
  const requester = token();
  const requestId = token();
  const operation = token();
  const key = token();
  if (key === undefined) return tooFew();

  // Request-URI: quoted, and may contain raw quotes; it ends at the first quote followed by
  // a status (or `-`) field.
  let requestUri: string | null;
  if (line.charCodeAt(pos) === QUOTE) {
    const close = findRequestUriEnd(line, pos + 1);
    if (close === -1) return reject('the Request-URI has no closing quote before the status');
    requestUri = line.slice(pos + 1, close);
    endField(close);
  } else {
    const value = token();
    if (value === undefined) return tooFew();
    if (value !== '-') return reject(`the Request-URI is neither quoted nor -: ${value}`);
    requestUri = null;
  }

  const httpStatus = token();
  const errorCode = token();
  const bytesSent = token();
  const objectSize = token();
  const totalTime = token();
  const turnAroundTime = token();
  if (turnAroundTime === undefined) return tooFew();

  // Referer: ends at the first quote followed by the User-Agent field.
  let referrer: string | null;
  if (line.charCodeAt(pos) === QUOTE) {
    const close = findRefererEnd(line, pos + 1);
    if (close === -1) return reject('the Referer has no closing quote before the User-Agent');
    referrer = line.slice(pos + 1, close);
    endField(close);
  } else {
    const value = token();
    if (value === undefined) return tooFew();
    if (value !== '-') return reject(`the Referer is neither quoted nor -: ${value}`);
    referrer = null;
  }

  // User-Agent: no later field contains a quote, so its closing quote is the line's last one.
  let userAgent: string | null;
  if (line.charCodeAt(pos) === QUOTE) {
    const close = line.lastIndexOf('"');
    if (close === pos || (close + 1 < end && line.charCodeAt(close + 1) !== SPACE)) {
      return reject('the User-Agent has no closing quote');
    }
    userAgent = line.slice(pos + 1, close);
    endField(close);
  } else {
    const value = token();
    if (value === undefined) return tooFew();
    if (value !== '-') return reject(`the User-Agent is neither quoted nor -: ${value}`);
    userAgent = null;
  }

  const rest =
    pos < end
      ? line
          .slice(pos)
          .split(' ')
          .filter((t) => t !== '')
      : [];
  // Field 19, the Host Id, sometimes appears as two tokens: rejoin them.
  if (rest.length > 2 && HOST_ID_HEAD.test(rest[1] ?? '') && HOST_ID_TAIL.test(rest[2] ?? '')) {
    rest.splice(1, 2, `${rest[1]} ${rest[2]}`);
  }
  const [
    versionId,
    hostId,
    signatureVersion,
    cipherSuite,
    authType,
    hostHeader,
    tlsVersion,
    accessPointArn,
    aclRequired,
    sourceRegion,
    ...extraFields
  ] = rest;

  const problems: string[] = [];
  const status = httpStatus === undefined || httpStatus === '-' ? null : httpStatus;
  if (status !== null && !STATUS.test(status))
    problems.push(`the status is not 3 digits: ${httpStatus}`);
  const numbers = {
    bytesSent: toNumber(bytesSent, 'Bytes Sent', problems),
    objectSize: toNumber(objectSize, 'Object Size', problems),
    totalTime: toNumber(totalTime, 'Total Time', problems),
    turnAroundTime: toNumber(turnAroundTime, 'Turn-Around Time', problems),
  };
  if (
    signatureVersion !== undefined &&
    signatureVersion !== '-' &&
    !SIGNATURE_VERSION.test(signatureVersion)
  ) {
    problems.push(`the signature version is not SigV2/SigV4: ${signatureVersion}`);
  }
  if (authType !== undefined && authType !== '-' && !AUTH_TYPES.has(authType)) {
    problems.push(`the authentication type is not AuthHeader/QueryString: ${authType}`);
  }
  if (problems.length > 0) return reject(problems.join('; '));

  return {
    ok: true,
    fieldCount: MIN_ACCESS_LOG_FIELDS + rest.length,
    record: {
      bucketOwner: orNull(bucketOwner),
      bucket: orNull(bucket),
      time,
      remoteIp: orNull(remoteIp),
      requester: orNull(requester),
      requestId: orNull(requestId),
      operation: orNull(operation),
      key: orNull(key),
      requestUri: requestUri === '-' ? null : requestUri,
      httpStatus: status === null ? null : Number(status),
      errorCode: orNull(errorCode),
      ...numbers,
      referrer: referrer === '-' ? null : referrer,
      userAgent: userAgent === '-' ? null : userAgent,
      versionId: orNull(versionId),
      hostId: orNull(hostId),
      signatureVersion: orNull(signatureVersion),
      cipherSuite: orNull(cipherSuite),
      authType: orNull(authType),
      hostHeader: orNull(hostHeader),
      tlsVersion: orNull(tlsVersion),
      accessPointArn: orNull(accessPointArn),
      aclRequired: orNull(aclRequired),
      sourceRegion: orNull(sourceRegion),
      extraFields,
    },
  };
}

/**
 * Converts the Time field's text (without brackets) to ISO 8601 UTC to the second, or
 * undefined when it is not `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
 */
export function parseLogTime(text: string): string | undefined {
  const match = TIME.exec(text);
  if (match === null) return undefined;
  const [, day, monthName, year, hour, minute, second, sign, offsetHours, offsetMinutes] = match;
  const month = MONTHS.get(monthName ?? '');
  if (month === undefined) return undefined;
  if (sign === '+' && offsetHours === '00' && offsetMinutes === '00') {
    // The common case (S3 writes UTC): no date arithmetic needed.
    return `${year}-${String(month + 1).padStart(2, '0')}-${day}T${hour}:${minute}:${second}Z`;
  }
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const utc = Date.UTC(
    Number(year),
    month,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  if (Number.isNaN(utc)) return undefined;
  return `${new Date(utc - offset * 60_000).toISOString().slice(0, 19)}Z`;
}

function skipSpaces(line: string, from: number): number {
  let pos = from;
  while (line.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

/** The first quote followed by spaces and then a status token (`-` or 3 digits) and a space or the end. */
function findRequestUriEnd(line: string, from: number): number {
  for (let close = line.indexOf('"', from); close !== -1; close = line.indexOf('"', close + 1)) {
    if (line.charCodeAt(close + 1) !== SPACE) continue;
    const next = skipSpaces(line, close + 1);
    let stop = line.indexOf(' ', next);
    if (stop === -1) stop = line.length;
    const status = line.slice(next, stop);
    if (status === '-' || STATUS.test(status)) return close;
  }
  return -1;
}

/** The first quote followed by spaces and then a quote or a lone `-` (the User-Agent field). */
function findRefererEnd(line: string, from: number): number {
  for (let close = line.indexOf('"', from); close !== -1; close = line.indexOf('"', close + 1)) {
    if (line.charCodeAt(close + 1) !== SPACE) continue;
    const next = skipSpaces(line, close + 1);
    const c = line.charCodeAt(next);
    if (c === QUOTE) return close;
    if (c === 0x2d /* - */ && (next + 1 === line.length || line.charCodeAt(next + 1) === SPACE)) {
      return close;
    }
  }
  return -1;
}

function toNumber(text: string | undefined, name: string, problems: string[]): number | null {
  if (text === undefined || text === '-') return null;
  if (!DIGITS.test(text)) {
    problems.push(`${name} is not a number: ${text}`);
    return null;
  }
  return Number(text);
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '-' ? null : value;
}

function reject(reason: string): ParseResult {
  return { ok: false, reason };
}
