import {
  MAX_OBJECT_BYTES,
  MAX_OFFSET_MINUTES,
  MAX_REQUEST_MILLISECONDS,
  MONTH_ABBREVIATIONS,
} from './constants.ts';

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

  requester(): string | null {
    return this.requesterWithSpaces ?? this.text(this.requesterStart, this.requesterEnd);
  }

  /** Whether the field `[start, end)` is exactly `value`. */
  equals(start: number, end: number, value: string): boolean {
    return start !== -1 && end - start === value.length && this.line.startsWith(value, start);
  }
}

export const enum AuthType {
  None = 0,
  AuthHeader = 1,
  QueryString = 2,
}

const SPACE = 32;
const QUOTE = 34;
const DASH = 45;
const OPEN_BRACKET = 91;
const CLOUDFRONT_USER = 'arn:aws:iam::cloudfront:user/CloudFront';
const ORIGIN_ACCESS_IDENTITY = 'Origin Access Identity ';
const HOST_ID_HEAD = /^[A-Z0-9]{20,21}$/;
const HOST_ID_TAIL = /^[A-Za-z0-9+/=]{40,}$/;
// Month abbreviations by their three character codes packed into one number (no substring).
const monthKey = (a: number, b: number, c: number) => (a << 16) | (b << 8) | c;
const MONTHS: ReadonlyMap<number, number> = new Map(
  MONTH_ABBREVIATIONS.map((m, i) => [
    monthKey(m.charCodeAt(0), m.charCodeAt(1), m.charCodeAt(2)),
    i,
  ]),
);
const MIN_STATUS = 100;
const MAX_STATUS = 599;

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
    line.startsWith(ORIGIN_ACCESS_IDENTITY, pos)
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
  const starts = NUMBER_STARTS;
  const ends = NUMBER_ENDS;
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
    const close = line.lastIndexOf('"');
    if (close < pos + 1 || !isFieldEnd(line, close + 1)) return false;
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
  return (
    readSignatureVersion(out, line, count, signatureAt, starts, ends) &&
    readAuthType(out, line, count, signatureAt + 2, starts, ends)
  );
}

// Scratch positions of up to six tokens, reused for every line.
const NUMBER_STARTS = new Int32Array(6);
const NUMBER_ENDS = new Int32Array(6);

function isTwoPartHostId(line: string, starts: Int32Array, ends: Int32Array): boolean {
  const headLength = (ends[1] as number) - (starts[1] as number);
  return (
    (headLength === 20 || headLength === 21) &&
    HOST_ID_HEAD.test(line.slice(starts[1], ends[1])) &&
    HOST_ID_TAIL.test(line.slice(starts[2], ends[2]))
  );
}

function readSignatureVersion(
  out: MeteringFields,
  line: string,
  count: number,
  at: number,
  starts: Int32Array,
  ends: Int32Array,
): boolean {
  out.signatureVersion = -1;
  if (at >= count) return true;
  const start = starts[at] as number;
  const end = ends[at] as number;
  if (end === start + 1 && line.charCodeAt(start) === DASH) return true;
  const digit = line.charCodeAt(start + 4);
  if (end !== start + 5 || !line.startsWith('SigV', start) || !isDigit(digit)) return false;
  out.signatureVersion = digit - 48;
  return true;
}

function readAuthType(
  out: MeteringFields,
  line: string,
  count: number,
  at: number,
  starts: Int32Array,
  ends: Int32Array,
): boolean {
  out.authType = AuthType.None;
  if (at >= count) return true;
  const start = starts[at] as number;
  const end = ends[at] as number;
  if (end === start + 1 && line.charCodeAt(start) === DASH) return true;
  if (end === start + 10 && line.startsWith('AuthHeader', start)) {
    out.authType = AuthType.AuthHeader;
    return true;
  }
  if (end === start + 11 && line.startsWith('QueryString', start)) {
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
 * The time field's text at `at` (`dd/Mon/yyyy:HH:MM:SS ±hhmm`) as seconds since the epoch,
 * or NaN when it is not a real calendar day, clock time and time zone offset.
 */
export function logTimeSeconds(line: string, at: number): number {
  for (const offset of TIME_DIGITS) if (!isDigit(line.charCodeAt(at + offset))) return Number.NaN;
  const sign = line.charCodeAt(at + 21);
  if (
    line.charCodeAt(at + 2) !== 47 ||
    line.charCodeAt(at + 6) !== 47 ||
    line.charCodeAt(at + 11) !== 58 ||
    line.charCodeAt(at + 14) !== 58 ||
    line.charCodeAt(at + 17) !== 58 ||
    line.charCodeAt(at + 20) !== SPACE ||
    (sign !== 43 && sign !== DASH)
  ) {
    return Number.NaN;
  }
  const month = MONTHS.get(
    monthKey(line.charCodeAt(at + 3), line.charCodeAt(at + 4), line.charCodeAt(at + 5)),
  );
  if (month === undefined) return Number.NaN;
  const year = digits(line, at + 7, 4);
  const day = digits(line, at, 2);
  const hours = digits(line, at + 12, 2);
  const minutes = digits(line, at + 15, 2);
  const seconds = digits(line, at + 18, 2);
  const offsetHours = digits(line, at + 22, 2);
  const offsetMinutes = digits(line, at + 24, 2);
  if (day < 1 || day > daysInMonth(year, month) || hours > 23 || minutes > 59 || seconds > 59) {
    return Number.NaN;
  }
  if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) {
    return Number.NaN;
  }
  const offset = (sign === DASH ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return (
    daysFromCivil(year, month + 1, day) * 86_400 +
    hours * 3600 +
    minutes * 60 +
    seconds -
    offset * 60
  );
}

const TIME_DIGITS = [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, unlike Date.UTC's 0–99). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** ISO 8601 UTC to the second, as parseLine writes a record's time. */
export function isoSeconds(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

function digits(line: string, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 10 + line.charCodeAt(at + i) - 48;
  return value;
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

function skipSpaces(line: string, from: number): number {
  let pos = from;
  while (line.charCodeAt(pos) === SPACE) pos++;
  return pos;
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

function findQuoteBefore(
  line: string,
  from: number,
  nextFieldAt: (line: string, at: number) => boolean,
): number {
  for (let close = line.indexOf('"', from); close !== -1; close = line.indexOf('"', close + 1)) {
    if (line.charCodeAt(close + 1) === SPACE && nextFieldAt(line, skipSpaces(line, close + 1))) {
      return close;
    }
  }
  return -1;
}

function isStatusAt(line: string, at: number): boolean {
  if (line.charCodeAt(at) === DASH) return isFieldEnd(line, at + 1);
  return (
    isDigit(line.charCodeAt(at)) &&
    isDigit(line.charCodeAt(at + 1)) &&
    isDigit(line.charCodeAt(at + 2)) &&
    isFieldEnd(line, at + 3)
  );
}

function isUserAgentAt(line: string, at: number): boolean {
  return line.charCodeAt(at) === QUOTE || isLoneDash(line, at);
}

function isFieldEnd(line: string, at: number): boolean {
  return at === line.length || line.charCodeAt(at) === SPACE;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
