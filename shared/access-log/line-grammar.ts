/**
 * What the fields of an S3 server access log line look like, as both readers of a line use
 * it: `parseLine` (the whole record) and `scanMeteringFields` (the metering's fields).
 * Fields are separated by one or more spaces; three are quoted, and S3 does not escape the
 * quotes inside them, so where a quoted field ends is told by what follows it.
 */

export const SPACE = 32;
export const QUOTE = 34;
export const DASH = 45;
/** HTTP statuses S3 answers with. */
export const MIN_STATUS = 100;
export const MAX_STATUS = 599;
/** The one Requester with spaces: a CloudFront origin access identity. */
export const CLOUDFRONT_USER = 'arn:aws:iam::cloudfront:user/CloudFront';
export const ORIGIN_ACCESS_IDENTITY = 'Origin Access Identity ';
/** The halves of a two-part Host Id (x-amz-id-2 written as "<id> <base64>", seen in 2019 logs). */
export const HOST_ID_HEAD = /^[A-Z0-9]{20,21}$/;
export const HOST_ID_TAIL = /^[A-Za-z0-9+/=]{40,}$/;

export function skipSpaces(line: string, from: number): number {
  let pos = from;
  while (line.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

/**
 * The first quote at or after `from` that is followed by spaces and then by what
 * `nextFieldAt` recognises as the next field; -1 if there is none.
 */
export function findQuoteBefore(
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

/** A status field at `at`: `-` or three digits, then a space or the end of the line. */
export function isStatusAt(line: string, at: number): boolean {
  if (line.charCodeAt(at) === DASH) return isFieldEnd(line, at + 1);
  return (
    isDigit(line.charCodeAt(at)) &&
    isDigit(line.charCodeAt(at + 1)) &&
    isDigit(line.charCodeAt(at + 2)) &&
    isFieldEnd(line, at + 3)
  );
}

/** A User-Agent field at `at`: a quote, or a lone `-`. */
export function isUserAgentAt(line: string, at: number): boolean {
  const c = line.charCodeAt(at);
  return c === QUOTE || (c === DASH && isFieldEnd(line, at + 1));
}

/**
 * Whether `value` is in `line` at `at`, compared code by code: V8's `startsWith` at an
 * offset into a line (a slice of the text read) is several times slower.
 */
export function isAt(line: string, at: number, value: string): boolean {
  if (at < 0 || at + value.length > line.length) return false;
  for (let i = 0; i < value.length; i++) {
    if (line.charCodeAt(at + i) !== value.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The last quote of `line`, if it is at or after `from`; else -1. Found forwards: V8's
 * `lastIndexOf` is a call into its runtime, several times slower than `indexOf`.
 */
export function lastQuoteFrom(line: string, from: number): number {
  let last = line.indexOf('"', from);
  for (let next = last; next !== -1; next = line.indexOf('"', next + 1)) last = next;
  return last;
}

export function isFieldEnd(line: string, at: number): boolean {
  return at === line.length || line.charCodeAt(at) === SPACE;
}

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
