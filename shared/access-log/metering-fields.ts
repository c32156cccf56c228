import { MAX_OBJECT_BYTES, MAX_REQUEST_MILLISECONDS } from './constants.ts';
import {
  CLOUDFRONT_USER,
  DASH,
  findQuoteBefore,
  HOST_ID_HEAD,
  HOST_ID_TAIL,
  isAt,
  isDigit,
  isFieldEnd,
  isStatusAt,
  isUserAgentAt,
  lastQuoteFrom,
  MAX_STATUS,
  MIN_STATUS,
  ORIGIN_ACCESS_IDENTITY,
  QUOTE,
  skipSpaces,
  SPACE,
} from './line-grammar.ts';
import { logTimeSeconds } from './log-time.ts';

/**
 * The fields of one access log line that metering reads, as positions in the line and as
 * numbers: no record and no string per field. One instance is filled in place line after
 * line (`scanMeteringFields`); a text field is sliced only when asked for (`text`).
 *
 * A text field is a range `[start, end)` of `line`; `start === -1` means null (`-`, `"-"`,
 * or a field the line's format does not have). Numbers are -1 for null.
 */
export class MeteringFields {
  line = '';
  /** Seconds since 1970-01-01 UTC; NaN when the time field is `-`. */
  time = Number.NaN;
  requesterStart = -1;
  requesterEnd = -1;
  /** The Requester when it holds spaces (a CloudFront origin access identity), else null. */
  requesterWithSpaces: string | null = null;
  requestIdStart = -1;
  requestIdEnd = -1;
  operationStart = -1;
  operationEnd = -1;
  keyStart = -1;
  keyEnd = -1;
  /** The Request-URI without its quotes. */
  requestUriStart = -1;
  requestUriEnd = -1;
  httpStatus = -1;
  errorCodeStart = -1;
  errorCodeEnd = -1;
  bytesSent = -1;
  objectSize = -1;
  totalTime = -1;
  turnAroundTime = -1;
  /** The digit of `SigV<digit>`; -1 when absent or `-`. */
  signatureVersion = -1;
  authType: AuthType = AuthType.None;

  /** The text of a field's range, or null. */
  text(start: number, end: number): string | null {
    return start === -1 ? null : this.line.slice(start, end);
  }

  /** Whether the field `[start, end)` is exactly `value`. */
  equals(start: number, end: number, value: string): boolean {
    // A slice compared whole: V8's startsWith at an offset into a sliced line is up to five
    // times slower (0.4 µs for a 120-character requester).
    return start !== -1 && end - start === value.length && this.line.slice(start, end) === value;
  }
}

export const enum AuthType {
  None = 0,
  AuthHeader = 1,
  QueryString = 2,
}

const OPEN_BRACKET = 91;

/**
 * Reads the fields metering needs from one log line into `out`; false when the line is not
 * a record. It accepts and rejects exactly the lines `parseLine` does and reads the same
 * values (a property test holds the two together); `parseLine` also says why a line is
 * rejected, so callers ask it for the reason of the few lines this refuses.
 */
export function scanMeteringFields(line: string, out: MeteringFields): boolean {
  out.line = line;
  out.requesterWithSpaces = null;
  const length = line.length;
  let pos = skipSpaces(line, 0);
  // Bucket owner and bucket.
  for (let i = 0; i < 2; i++) {
    if (pos >= length) return false;
    pos = afterToken(line, tokenEnd(line, pos));
  }

  if (line.charCodeAt(pos) === OPEN_BRACKET) {
    const close = line.indexOf(']', pos);
    if (close !== pos + 27) return false;
    out.time = logTimeSeconds(line, pos + 1);
    if (Number.isNaN(out.time)) return false;
    pos = skipSpaces(line, close + 1);
  } else {
    if (pos >= length) return false;
    const end = tokenEnd(line, pos);
    if (end !== pos + 1 || line.charCodeAt(pos) !== DASH) return false;
    out.time = Number.NaN;
    pos = afterToken(line, end);
  }

  // Remote IP.
  if (pos >= length) return false;
  pos = afterToken(line, tokenEnd(line, pos));

  // Requester, request ID, operation, key: the key must be there.
  if (pos >= length) return false;
  let end = tokenEnd(line, pos);
  out.requesterStart = startOf(line, pos, end);
  out.requesterEnd = end;
  pos = afterToken(line, end);
  if (
    out.requesterStart !== -1 &&
    out.equals(out.requesterStart, out.requesterEnd, CLOUDFRONT_USER) &&
    isAt(line, pos, ORIGIN_ACCESS_IDENTITY)
  ) {
    // Joined with single spaces, as parseLine does.
    const parts = [CLOUDFRONT_USER];
    for (let i = 0; i < 4 && pos < length; i++) {
      end = tokenEnd(line, pos);
      parts.push(line.slice(pos, end));
      pos = afterToken(line, end);
    }
    out.requesterWithSpaces = parts.join(' ');
  }
  if (pos >= length) return false;
  end = tokenEnd(line, pos);
  out.requestIdStart = startOf(line, pos, end);
  out.requestIdEnd = end;
  pos = afterToken(line, end);
  if (pos >= length) return false;
  end = tokenEnd(line, pos);
  out.operationStart = startOf(line, pos, end);
  out.operationEnd = end;
  pos = afterToken(line, end);
  if (pos >= length) return false;
  end = tokenEnd(line, pos);
  out.keyStart = startOf(line, pos, end);
  out.keyEnd = end;
  pos = afterToken(line, end);

  // Request-URI: the first quote followed by a status field.
  if (line.charCodeAt(pos) === QUOTE) {
    const close = findQuoteBefore(line, pos + 1, isStatusAt);
    if (close === -1) return false;
    out.requestUriStart = startOf(line, pos + 1, close);
    out.requestUriEnd = close;
    pos = skipSpaces(line, close + 1);
  } else {
    if (pos >= length) return false;
    end = tokenEnd(line, pos);
    if (end !== pos + 1 || line.charCodeAt(pos) !== DASH) return false;
    out.requestUriStart = -1;
    out.requestUriEnd = -1;
    pos = afterToken(line, end);
  }

  // Status, error code, Bytes Sent, Object Size, Total Time, Turn-Around Time.
  const starts = TOKEN_STARTS;
  const ends = TOKEN_ENDS;
  for (let i = 0; i < 6; i++) {
    if (pos >= length) return false;
    starts[i] = pos;
    ends[i] = tokenEnd(line, pos);
    pos = afterToken(line, ends[i] as number);
  }
  const status = wholeNumber(line, starts[0] as number, ends[0] as number, MAX_STATUS);
  const sent = wholeNumber(line, starts[2] as number, ends[2] as number, MAX_OBJECT_BYTES);
  const size = wholeNumber(line, starts[3] as number, ends[3] as number, MAX_OBJECT_BYTES);
  const total = wholeNumber(line, starts[4] as number, ends[4] as number, MAX_REQUEST_MILLISECONDS);
  const turnAround = wholeNumber(
    line,
    starts[5] as number,
    ends[5] as number,
    MAX_REQUEST_MILLISECONDS,
  );
  if (
    Number.isNaN(status) ||
    (status !== -1 && status < MIN_STATUS) ||
    Number.isNaN(sent) ||
    Number.isNaN(size) ||
    Number.isNaN(total) ||
    Number.isNaN(turnAround)
  ) {
    return false;
  }
  out.totalTime = total;
  out.turnAroundTime = turnAround;
  out.httpStatus = status;
  out.bytesSent = sent;
  out.objectSize = size;
  out.errorCodeStart = startOf(line, starts[1] as number, ends[1] as number);
  out.errorCodeEnd = ends[1] as number;

  // Referer: the first quote followed by the User-Agent field.
  if (line.charCodeAt(pos) === QUOTE) {
    const close = findQuoteBefore(line, pos + 1, isUserAgentAt);
    if (close === -1) return false;
    pos = skipSpaces(line, close + 1);
  } else if (!(pos < length && isLoneDash(line, pos))) {
    return false;
  } else {
    pos = afterToken(line, pos + 1);
  }

  // User-Agent: its closing quote is the last of the line.
  if (line.charCodeAt(pos) === QUOTE) {
    const close = lastQuoteFrom(line, pos + 1);
    if (close === -1 || !isFieldEnd(line, close + 1)) return false;
    pos = skipSpaces(line, close + 1);
  } else if (!(pos < length && isLoneDash(line, pos))) {
    return false;
  } else {
    pos = afterToken(line, pos + 1);
  }

  // Version Id, Host Id (sometimes two tokens), signature version, cipher suite, auth type.
  let count = 0;
  for (; count < 6 && pos < length; count++) {
    starts[count] = pos;
    ends[count] = tokenEnd(line, pos);
    pos = afterToken(line, ends[count] as number);
  }
  let signatureAt = 2;
  if (count > 2 && isTwoPartHostId(line, starts, ends)) {
    // The Host Id's two tokens are one field: the later fields come one token later.
    signatureAt = 3;
  }
  const authAt = signatureAt + 2;
  return (
    readSignatureVersion(
      out,
      line,
      optionalStart(line, count, signatureAt),
      ends[signatureAt] as number,
    ) && readAuthType(out, line, optionalStart(line, count, authAt), ends[authAt] as number)
  );
}

// Scratch positions of up to six tokens, reused for every line.
const TOKEN_STARTS = new Int32Array(6);
const TOKEN_ENDS = new Int32Array(6);

function isTwoPartHostId(line: string, starts: Int32Array, ends: Int32Array): boolean {
  const headLength = (ends[1] as number) - (starts[1] as number);
  return (
    (headLength === 20 || headLength === 21) &&
    HOST_ID_HEAD.test(line.slice(starts[1], ends[1])) &&
    HOST_ID_TAIL.test(line.slice(starts[2], ends[2]))
  );
}

/** Where the `index`-th of the `count` fields read after the User-Agent starts; -1 if absent or `-`. */
function optionalStart(line: string, count: number, index: number): number {
  return index >= count
    ? -1
    : startOf(line, TOKEN_STARTS[index] as number, TOKEN_ENDS[index] as number);
}

/** Reads `SigV<digit>` (or nothing: absent or `-`); false when the field is something else. */
function readSignatureVersion(
  out: MeteringFields,
  line: string,
  start: number,
  end: number,
): boolean {
  out.signatureVersion = -1;
  if (start === -1) return true;
  const digit = line.charCodeAt(start + 4);
  if (end !== start + 5 || !isAt(line, start, 'SigV') || !isDigit(digit)) return false;
  out.signatureVersion = digit - 48;
  return true;
}

/** Reads `AuthHeader` or `QueryString` (or nothing); false when the field is something else. */
function readAuthType(out: MeteringFields, line: string, start: number, end: number): boolean {
  out.authType = AuthType.None;
  if (start === -1) return true;
  if (end === start + 10 && isAt(line, start, 'AuthHeader')) {
    out.authType = AuthType.AuthHeader;
    return true;
  }
  if (end === start + 11 && isAt(line, start, 'QueryString')) {
    out.authType = AuthType.QueryString;
    return true;
  }
  return false;
}

/** The range of a bare field, or -1 for `-`. */
function startOf(line: string, start: number, end: number): number {
  return end === start + 1 && line.charCodeAt(start) === DASH ? -1 : start;
}

/**
 * A whole number field of at most `max` between `start` and `end`: -1 for `-`, NaN when it
 * is not one (at most 16 digits are read, so no text becomes Infinity).
 */
function wholeNumber(line: string, start: number, end: number, max: number): number {
  if (end === start + 1 && line.charCodeAt(start) === DASH) return -1;
  if (end - start > 16) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const code = line.charCodeAt(i);
    if (!isDigit(code)) return Number.NaN;
    value = value * 10 + code - 48;
  }
  return value <= max ? value : Number.NaN;
}

/** Where the space-free field starting at `pos` ends. */
function tokenEnd(line: string, pos: number): number {
  const stop = line.indexOf(' ', pos);
  return stop === -1 ? line.length : stop;
}

/** Where the next field starts after a field that ends at `end`. */
function afterToken(line: string, end: number): number {
  return line.charCodeAt(end + 1) === SPACE ? skipSpaces(line, end) : end + 1;
}

function isLoneDash(line: string, at: number): boolean {
  return line.charCodeAt(at) === DASH && isFieldEnd(line, at + 1);
}
