import type { AccessLogRecord } from '../access-log/index.ts';
import { decodeQueryComponent } from '../access-log/index.ts';
import { isValidCustomerId } from '../customers/customer-id.ts';
import { createUploadOwnerLookup, type UploadOwnerLookup } from '../customers/upload-owner.ts';
import { LINK_ID_PATTERN } from '../links/link-id.ts';
import { emptyCounters, type UsageCounters } from './usage-counters.ts';

/** Whom a request is billed to, for which UTC day, and what it adds. */
export interface Attribution {
  /** The signed `x-customer-id`, or null: the request goes to the untracked total. */
  customerId: string | null;
  /** The signed `x-link-id` when it is well-formed. */
  linkId: string | null;
  /** UTC day and month of the request time: `2026-11-22`, `2026-11`. */
  day: string;
  month: string;
  counters: UsageCounters;
}

const DEFAULT_UPLOAD_OWNER = createUploadOwnerLookup();
const UPLOAD_OPERATIONS: ReadonlySet<string> = new Set([
  'REST.PUT.OBJECT',
  'REST.POST.OBJECT',
  'REST.PUT.PART',
]);

/**
 * Attributes one access log record. Returns undefined when the record has no request time
 * (no period to bill it to). The customer is the value of `x-customer-id` in the query of a
 * presigned (SigV4 query-signed) request: S3 refuses such a URL if anyone edits, adds or
 * removes a parameter, so a successful request's customer is the one the link was issued
 * to. A missing, repeated or malformed id leaves the request untracked.
 *
 * A browser upload (POST Object) has no query string: it is attributed by `uploadOwner`,
 * the customer whose upload prefix holds its key (the POST policy pins the key there).
 *
 * Counters (DESIGN.md): a GET object answered 200/206 is a download of Bytes Sent (never
 * Object Size); a successful PUT/POST object or upload part is an upload of Object Size
 * (multipart completion is not counted again); status ≥ 400 is an error; the rest is other.
 */
export function attributeRequest(
  record: AccessLogRecord,
  uploadOwner: UploadOwnerLookup = DEFAULT_UPLOAD_OWNER,
): Attribution | undefined {
  if (record.time === null) return undefined;
  const tracked = readTrackingParameters(record.requestUri);
  const { linkId } = tracked;
  let { customerId } = tracked;
  if (customerId === null && record.operation === 'REST.POST.OBJECT' && record.key !== null) {
    // The Key field is URL-encoded (spaces as `+`), the prefixes are not.
    customerId = uploadOwner(decodeQueryComponent(record.key));
  }
  return {
    customerId,
    linkId: customerId === null ? null : linkId,
    day: record.time.slice(0, 10),
    month: record.time.slice(0, 7),
    counters: countRequest(record),
  };
}

/** What one request adds to the counters. */
export function countRequest(record: AccessLogRecord): UsageCounters {
  const counters = emptyCounters();
  const status = record.httpStatus;
  if (status !== null && status >= 400) {
    counters.errorRequests = 1;
  } else if (record.operation === 'REST.GET.OBJECT' && (status === 200 || status === 206)) {
    counters.downloadRequests = 1;
    counters.downloadBytes = record.bytesSent ?? 0;
  } else if (
    record.operation !== null &&
    UPLOAD_OPERATIONS.has(record.operation) &&
    status !== null &&
    status >= 200 &&
    status < 300
  ) {
    counters.uploadRequests = 1;
    counters.uploadBytes = record.objectSize ?? 0;
  } else {
    counters.otherRequests = 1;
  }
  return counters;
}

/**
 * Reads `x-customer-id`, `x-link-id` and whether `X-Amz-Signature` is present from the query
 * of a Request-URI, decoding only what it needs: this runs for every line of every log.
 * Names are compared decoded, because S3 accepts a presigned URL whose parameter names are
 * percent-encoded differently (`x%2Dcustomer-id`): the signature covers the decoded form.
 */
function readTrackingParameters(requestUri: string | null): {
  customerId: string | null;
  linkId: string | null;
} {
  const untracked = { customerId: null, linkId: null };
  if (requestUri === null) return untracked;
  const start = requestUri.indexOf('?');
  if (start === -1) return untracked;
  // The request-target ends at the space before the HTTP version.
  const space = requestUri.lastIndexOf(' ');
  const end = space > start ? space : requestUri.length;
  const customers: string[] = [];
  const links: string[] = [];
  let signed = false;
  for (let pos = start + 1; pos < end;) {
    let amp = requestUri.indexOf('&', pos);
    if (amp === -1 || amp > end) amp = end;
    const equals = requestUri.indexOf('=', pos);
    const nameEnd = equals === -1 || equals > amp ? amp : equals;
    let name = requestUri.slice(pos, nameEnd);
    if (name.includes('%') || name.includes('+')) name = decodeQueryComponent(name);
    if (name === 'x-customer-id' || name === 'x-link-id') {
      const value = decodeQueryComponent(requestUri.slice(Math.min(nameEnd + 1, amp), amp));
      (name === 'x-customer-id' ? customers : links).push(value);
    } else if (name === 'X-Amz-Signature') {
      signed = true;
    }
    pos = amp + 1;
  }
  const [customerId] = customers;
  if (
    !signed ||
    customers.length !== 1 ||
    customerId === undefined ||
    !isValidCustomerId(customerId)
  ) {
    return untracked;
  }
  const [linkId] = links;
  return {
    customerId,
    linkId:
      links.length === 1 && linkId !== undefined && LINK_ID_PATTERN.test(linkId) ? linkId : null,
  };
}
