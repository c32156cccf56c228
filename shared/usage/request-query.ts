import { isAt } from '../access-log/line-grammar.ts';
import { decodeQueryComponent } from '../access-log/request-uri.ts';
import { LINK_ID_PATTERN } from '../links/link-id.ts';

/** What attribution reads from a Request-URI's query: filled in place, line after line. */
export class TrackedQuery {
  /** How many `x-customer-id` values it has (normally one), and the first, decoded. */
  customers = 0;
  customerId = '';
  /** How many `x-link-id` values it has, and the first, decoded. */
  links = 0;
  linkId = '';
  /** Whether it names AWS credentials (a presigned URL, SigV4 or SigV2). */
  credentials = false;

  /** The link the request counts under: its one `x-link-id`, in a link id's form; else null. */
  trackedLinkId(): string | null {
    return this.links === 1 && LINK_ID_PATTERN.test(this.linkId) ? this.linkId : null;
  }
}

/** Query parameters that name AWS credentials, in SigV4 and SigV2 presigned URLs. */
const CREDENTIAL_PARAMETERS: ReadonlySet<string> = new Set([
  'X-Amz-Signature',
  'X-Amz-Credential',
  'AWSAccessKeyId',
  'Signature',
]);
const CUSTOMER_PARAMETER = 'x-customer-id';
const LINK_PARAMETER = 'x-link-id';

/**
 * Reads every `x-customer-id` and `x-link-id` of the Request-URI `text.slice(start, end)`,
 * and whether it names credentials (unless `credentials` is false), decoding only what it
 * needs: this runs for every line of every log. Names are compared decoded, because S3
 * accepts a presigned URL whose parameter names are percent-encoded differently
 * (`x%2Dcustomer-id`): the signature covers the decoded form.
 */
export function readTrackedQuery(
  text: string,
  start: number,
  end: number,
  into: TrackedQuery,
  credentials = true,
): TrackedQuery {
  into.customers = 0;
  into.links = 0;
  into.credentials = false;
  const question = text.indexOf('?', start);
  if (question === -1 || question >= end) return into;
  // The request-target ends at the space before the HTTP version (looked for backwards
  // only when the Request-URI does not end in the usual ` HTTP/1.1`).
  const space = isAt(text, end - HTTP_VERSION.length, HTTP_VERSION)
    ? end - HTTP_VERSION.length
    : text.lastIndexOf(' ', end - 1);
  const stop = space > question ? space : end;
  if (credentials) {
    for (let pos = question + 1; pos < stop;) pos = readParameter(text, pos, stop, into);
    return into;
  }
  // Without credentials to look for, only a name that starts with `x` or `%` (an encoded
  // character) can be ours: hop from `&` to `&` (one search, faster than one per opening)
  // and read only those; our two names as they are nearly always written, at once.
  for (let at = question; at !== -1 && at < stop; at = text.indexOf('&', at + 1)) {
    const first = text.charCodeAt(at + 1);
    if (first === LOWER_X && isAt(text, at + 1, CUSTOMER_EQUALS)) {
      const from = at + 1 + CUSTOMER_EQUALS.length;
      addCustomer(into, text, from, valueEnd(text, from, stop));
    } else if (first === LOWER_X && isAt(text, at + 1, LINK_EQUALS)) {
      const from = at + 1 + LINK_EQUALS.length;
      addLink(into, text, from, valueEnd(text, from, stop));
    } else if (first === LOWER_X || first === PERCENT) readParameter(text, at + 1, stop, into);
  }
  return into;
}

/** Reads the parameter at `pos` into `into`; returns where the next one starts. */
function readParameter(text: string, pos: number, stop: number, into: TrackedQuery): number {
  // The name ends at `=` or `&`; one pass over it also tells whether it is encoded.
  let nameEnd = pos;
  let encoded = false;
  for (; nameEnd < stop; nameEnd++) {
    const code = text.charCodeAt(nameEnd);
    if (code === EQUALS || code === AMPERSAND) break;
    if (code === PERCENT || code === PLUS) encoded = true;
  }
  const amp = text.charCodeAt(nameEnd) === EQUALS ? valueEnd(text, nameEnd, stop) : nameEnd;
  const found = encoded
    ? decodedParameter(decodeQueryComponent(text.slice(pos, nameEnd)))
    : parameterAt(text, pos, nameEnd);
  if (found === CUSTOMER) {
    addCustomer(into, text, Math.min(nameEnd + 1, amp), amp);
  } else if (found === LINK) {
    addLink(into, text, Math.min(nameEnd + 1, amp), amp);
  } else if (found === CREDENTIALS) {
    into.credentials = true;
  }
  return amp + 1;
}

// Only the first value of each, `text.slice(from, end)`, is kept and decoded: a second one
// makes the request bill no one (or no link) whatever it says.
function addCustomer(into: TrackedQuery, text: string, from: number, end: number): void {
  if (into.customers++ === 0) into.customerId = decodeQueryComponent(text.slice(from, end));
}

function addLink(into: TrackedQuery, text: string, from: number, end: number): void {
  if (into.links++ === 0) into.linkId = decodeQueryComponent(text.slice(from, end));
}

/** Where the value that starts at `from` ends: at the next `&`, or `stop`. */
function valueEnd(text: string, from: number, stop: number): number {
  const amp = text.indexOf('&', from);
  return amp === -1 || amp > stop ? stop : amp;
}

const HTTP_VERSION = ' HTTP/1.1';
const CUSTOMER_EQUALS = `${CUSTOMER_PARAMETER}=`;
const LINK_EQUALS = `${LINK_PARAMETER}=`;
const EQUALS = 61;
const AMPERSAND = 38;
const PERCENT = 37;
const PLUS = 43;
const LOWER_X = 120;
const CUSTOMER = 1;
const LINK = 2;
const CREDENTIALS = 3;
const NAMES: ReadonlyArray<readonly [string, number]> = [
  [CUSTOMER_PARAMETER, CUSTOMER],
  [LINK_PARAMETER, LINK],
  ...[...CREDENTIAL_PARAMETERS].map((name) => [name, CREDENTIALS] as const),
];

/** Which parameter the plain name `text.slice(start, end)` is (0: none), without slicing it. */
function parameterAt(text: string, start: number, end: number): number {
  const length = end - start;
  for (const [name, kind] of NAMES) {
    if (name.length === length && isAt(text, start, name)) return kind;
  }
  return 0;
}

/** Which parameter a decoded name is (0: none). */
function decodedParameter(name: string): number {
  return NAMES.find(([known]) => known === name)?.[1] ?? 0;
}
