import { MAX_OBJECT_BYTES, MAX_REQUEST_MILLISECONDS, MIN_ACCESS_LOG_FIELDS } from './constants.ts';
import {
  CLOUDFRONT_USER,
  findQuoteBefore,
  HOST_ID_HEAD,
  HOST_ID_TAIL,
  isDigit,
  isFieldEnd,
  isStatusAt,
  isUserAgentAt,
  MAX_STATUS,
  MIN_STATUS,
  ORIGIN_ACCESS_IDENTITY,
  QUOTE,
  skipSpaces,
  SPACE,
} from './line-grammar.ts';
import { parseLogTime } from './log-time.ts';
import type { AccessLogRecord } from './types.ts';

/** A parsed record, or why the line is not one. Bad input is a value, never an exception. */
export type ParseResult =
  { ok: true; record: AccessLogRecord; fieldCount: number } | { ok: false; reason: string };

const NO_EXTRA_FIELDS: readonly string[] = Object.freeze([]);
// Longer reasons are cut: a rejected line may hold a presigned URL, which must not be logged whole.
const MAX_QUOTED_TEXT = 40;

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
  const cursor = new FieldCursor(line);
  const bucketOwner = cursor.token();
  const bucket = cursor.token();
  if (bucket === undefined) return cursor.tooFew();

  let time: string | null = null;
  if (cursor.next() === 0x5b /* [ */) {
    const close = line.indexOf(']', cursor.pos);
    if (close === -1) return reject('the time field has no closing ]');
    const parsed = parseLogTime(line.slice(cursor.pos + 1, close));
    if (parsed === undefined) {
      return reject(
        `the time field is not [dd/Mon/yyyy:HH:MM:SS ±hhmm]: ${clip(line.slice(cursor.pos, close + 1))}`,
      );
    }
    time = parsed;
    cursor.endFieldAt(close);
  } else {
    const value = cursor.token();
    if (value === undefined) return cursor.tooFew();
    if (value !== '-') return reject(`the time field is not bracketed: ${clip(value)}`);
  }

  const remoteIp = cursor.token();
  let requester = cursor.token();
  // The one Requester with spaces: a CloudFront origin access identity.
  if (requester === CLOUDFRONT_USER && cursor.startsWith(ORIGIN_ACCESS_IDENTITY)) {
    requester = `${requester} ${cursor.tokens(4).join(' ')}`;
  }
  const requestId = cursor.token();
  const operation = cursor.token();
  const key = cursor.token();
  if (key === undefined) return cursor.tooFew();

  const requestUri = cursor.quotedField('Request-URI', 'before the status');
  if (typeof requestUri === 'object' && requestUri !== null) return requestUri;

  const httpStatus = cursor.token();
  const errorCode = cursor.token();
  const bytesSent = cursor.token();
  const objectSize = cursor.token();
  const totalTime = cursor.token();
  const turnAroundTime = cursor.token();
  if (turnAroundTime === undefined) return cursor.tooFew();

  const referrer = cursor.quotedField('Referer', 'before the User-Agent');
  if (typeof referrer === 'object' && referrer !== null) return referrer;

  const userAgent = cursor.quotedField('User-Agent', 'at the end of the line');
  if (typeof userAgent === 'object' && userAgent !== null) return userAgent;

  const rest = cursor.remainingTokens();
  // Field 19, the Host Id, sometimes appears as two tokens: rejoin them.
  const hostIdHead = rest[1] ?? '';
  if (
    rest.length > 2 &&
    (hostIdHead.length === 20 || hostIdHead.length === 21) &&
    HOST_ID_HEAD.test(hostIdHead) &&
    HOST_ID_TAIL.test(rest[2] ?? '')
  ) {
    rest.splice(1, 2, `${rest[1]} ${rest[2]}`);
  }
  const signatureVersion = rest[2];
  const authType = rest[4];

  const status = toNumber(httpStatus, MAX_STATUS);
  const sent = toNumber(bytesSent, MAX_OBJECT_BYTES);
  const size = toNumber(objectSize, MAX_OBJECT_BYTES);
  const total = toNumber(totalTime, MAX_REQUEST_MILLISECONDS);
  const turnAround = toNumber(turnAroundTime, MAX_REQUEST_MILLISECONDS);
  if (
    status === undefined ||
    (status !== null && status < MIN_STATUS) ||
    sent === undefined ||
    size === undefined ||
    total === undefined ||
    turnAround === undefined ||
    !isSignatureVersionField(signatureVersion) ||
    !isAuthTypeField(authType)
  ) {
    return reject(
      describeProblems(
        [
          ['the status', httpStatus, MAX_STATUS],
          ['Bytes Sent', bytesSent, MAX_OBJECT_BYTES],
          ['Object Size', objectSize, MAX_OBJECT_BYTES],
          ['Total Time', totalTime, MAX_REQUEST_MILLISECONDS],
          ['Turn-Around Time', turnAroundTime, MAX_REQUEST_MILLISECONDS],
        ],
        signatureVersion,
        authType,
      ),
    );
  }

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
      requestUri,
      httpStatus: status,
      errorCode: orNull(errorCode),
      bytesSent: sent,
      objectSize: size,
      totalTime: total,
      turnAroundTime: turnAround,
      referrer,
      userAgent,
      versionId: orNull(rest[0]),
      hostId: orNull(rest[1]),
      signatureVersion: orNull(signatureVersion),
      cipherSuite: orNull(rest[3]),
      authType: orNull(authType),
      hostHeader: orNull(rest[5]),
      tlsVersion: orNull(rest[6]),
      accessPointArn: orNull(rest[7]),
      aclRequired: orNull(rest[8]),
      sourceRegion: orNull(rest[9]),
      extraFields: rest.length > 10 ? rest.slice(10) : NO_EXTRA_FIELDS,
    },
  };
}

/** Walks a line field by field; fields are separated by one or more spaces. */
class FieldCursor {
  readonly line: string;
  pos: number;
  fieldsRead = 0;

  constructor(line: string) {
    this.line = line;
    this.pos = skipSpaces(line, 0);
  }

  /** The code of the character at the cursor (NaN at the end). */
  next(): number {
    return this.line.charCodeAt(this.pos);
  }

  /** The next space-free field, or undefined at the end of the line. */
  token(): string | undefined {
    const line = this.line;
    const pos = this.pos;
    if (pos >= line.length) return undefined;
    let stop = line.indexOf(' ', pos);
    if (stop === -1) stop = line.length;
    // Fields are almost always one space apart: only look for more when there are.
    this.pos = line.charCodeAt(stop + 1) === SPACE ? skipSpaces(line, stop) : stop + 1;
    this.fieldsRead++;
    return line.slice(pos, stop);
  }

  /** Moves past a field that ends at `last` (its closing bracket or quote). */
  endFieldAt(last: number): void {
    this.pos = skipSpaces(this.line, last + 1);
    this.fieldsRead++;
  }

  /**
   * A quoted field (S3 does not escape quotes inside it) or a bare `-`: its text (null for
   * `-` or `"-"`), or the rejection of the line.
   */
  quotedField(
    name: QuotedField,
    where: string,
  ): string | null | Extract<ParseResult, { ok: false }> {
    if (this.next() === QUOTE) {
      const close = findClosingQuote(this.line, this.pos + 1, name);
      if (close === -1) return reject(`the ${name} has no closing quote ${where}`);
      const text = this.line.slice(this.pos + 1, close);
      this.endFieldAt(close);
      return text === '-' ? null : text;
    }
    const value = this.token();
    if (value === undefined) return this.tooFew();
    return value === '-' ? null : reject(`the ${name} is neither quoted nor -: ${clip(value)}`);
  }

  /** Whether the text at the cursor starts with `prefix`. */
  startsWith(prefix: string): boolean {
    return this.line.startsWith(prefix, this.pos);
  }

  /** The next `count` fields (fewer at the end of the line). */
  tokens(count: number): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const token = this.token();
      if (token === undefined) break;
      tokens.push(token);
    }
    return tokens;
  }

  /** The space-free fields after the cursor. */
  remainingTokens(): string[] {
    const tokens: string[] = [];
    for (let token = this.token(); token !== undefined; token = this.token()) tokens.push(token);
    return tokens;
  }

  tooFew(): Extract<ParseResult, { ok: false }> {
    return reject(
      `too few fields: the line ends after field ${this.fieldsRead}, at least ${MIN_ACCESS_LOG_FIELDS} expected`,
    );
  }
}

type QuotedField = 'Request-URI' | 'Referer' | 'User-Agent';

/**
 * Where a quoted field that opened before `from` closes, or -1:
 * - Request-URI: the first quote followed by the status field (3 digits or -);
 * - Referer: the first quote followed by the User-Agent field (quoted, or -);
 * - User-Agent: the last quote of the line, as no later field contains one.
 */
function findClosingQuote(line: string, from: number, field: QuotedField): number {
  if (field === 'Request-URI') return findQuoteBefore(line, from, isStatusAt);
  if (field === 'Referer') return findQuoteBefore(line, from, isUserAgentAt);
  const close = line.lastIndexOf('"');
  return close >= from && isFieldEnd(line, close + 1) ? close : -1;
}

/** Absent, `-`, or `SigV<digit>`. */
function isSignatureVersionField(text: string | undefined): boolean {
  return (
    text === undefined ||
    text === '-' ||
    (text.length === 5 && text.startsWith('SigV') && isDigit(text.charCodeAt(4)))
  );
}

/** Absent, `-`, `AuthHeader` or `QueryString`. */
function isAuthTypeField(text: string | undefined): boolean {
  return text === undefined || text === '-' || text === 'AuthHeader' || text === 'QueryString';
}

/**
 * A whole number field of at most `max`: `-` → null; undefined when it is not a whole number
 * or beyond what S3 can write (a problem, not a guess). Digits are checked before the value,
 * so 400 digits never become `Infinity`.
 */
function toNumber(text: string | undefined, max: number): number | null | undefined {
  if (text === undefined || text === '-') return null;
  if (text.length === 0 || text.length > 16) return undefined;
  for (let i = 0; i < text.length; i++) {
    if (!isDigit(text.charCodeAt(i))) return undefined;
  }
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** Every reason a line whose fields all were present is still not a record. */
function describeProblems(
  numbers: Array<[string, string | undefined, number]>,
  signatureVersion: string | undefined,
  authType: string | undefined,
): string {
  const problems: string[] = [];
  for (const [name, text, max] of numbers) {
    const value = toNumber(text, Number.MAX_SAFE_INTEGER);
    if (value === undefined) {
      const digits = text !== undefined && /^\d+$/.test(text);
      problems.push(
        digits
          ? `${name} is beyond what S3 can write (at most ${max}): ${clip(text)}`
          : `${name} is not a number: ${clip(text ?? '')}`,
      );
    } else if (value !== null && value > max) {
      problems.push(`${name} is beyond what S3 can write (at most ${max}): ${clip(text ?? '')}`);
    } else if (name === 'the status' && value !== null && value < MIN_STATUS) {
      problems.push(`the status is not an HTTP status: ${clip(text ?? '')}`);
    }
  }
  if (!isSignatureVersionField(signatureVersion)) {
    problems.push(`the signature version is not SigV2/SigV4: ${clip(signatureVersion ?? '')}`);
  }
  if (!isAuthTypeField(authType)) {
    problems.push(`the authentication type is not AuthHeader/QueryString: ${clip(authType ?? '')}`);
  }
  return problems.join('; ');
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '-' ? null : value;
}

function clip(text: string): string {
  return text.length > MAX_QUOTED_TEXT ? `${text.slice(0, MAX_QUOTED_TEXT)}…` : text;
}

function reject(reason: string): Extract<ParseResult, { ok: false }> {
  return { ok: false, reason };
}
