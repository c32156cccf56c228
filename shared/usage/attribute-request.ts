import type { AccessLogRecord } from '../access-log/index.ts';
import { decodeQueryComponent } from '../access-log/index.ts';
import { isValidCustomerId } from '../customers/customer-id.ts';
import type { AttributionRules, UntrackedReason } from './attribution-rules.ts';
import { readTrackedQuery, TrackedQuery } from './request-query.ts';
import { emptyCounters, type UsageCounters } from './usage-counters.ts';

/** Whom a request is billed to, for which UTC day, and what it adds. */
export type Attribution = {
  /** UTC day of the request time: `2026-11-22`. */
  day: string;
  counters: UsageCounters;
} & (
  | { customerId: string; linkId: string | null; untracked: null }
  | { customerId: null; linkId: null; untracked: UntrackedReason }
);

const EMPTY_QUERY = new TrackedQuery();

export const UPLOAD_OPERATIONS: ReadonlySet<string> = new Set([
  'REST.PUT.OBJECT',
  'REST.POST.OBJECT',
  'REST.PUT.PART',
]);

/** S3's error codes for credentials it refused (the request then logs Requester `-`). */
export const AUTH_FAILURES: ReadonlySet<string> = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthorizationQueryParametersError',
  'AuthorizationHeaderMalformed',
]);

/**
 * Attributes one access log record by the trust rule (docs/attribution.md). Returns undefined
 * when the record has no request time (no period to bill it to).
 *
 * A request is a customer's only if S3 authenticated it (Requester is not `-`), its Requester
 * is one of the stack's signers, and it is either a presigned SigV4 URL (Authentication Type
 * `QueryString`) carrying exactly one well-formed `x-customer-id` of an existing customer, or
 * a browser form upload (POST Object, whose policy pins the key) under that customer's upload
 * prefix. S3 refuses such a URL if anyone edits, adds or removes a parameter, so the customer
 * is the one the stack signed for. Everything else is untracked with its reason.
 *
 * Counters (docs/access-log-parser.md): a GET object answered 200/206 is a download of Bytes Sent (never
 * Object Size); a successful PUT/POST object or upload part is an upload of Object Size
 * (multipart completion is not counted again); status ≥ 400 is an error; the rest is other.
 */
export function attributeRequest(
  record: AccessLogRecord,
  rules: AttributionRules,
): Attribution | undefined {
  if (record.time === null) return undefined;
  const day = record.time.slice(0, 10);
  const counters = countRequest(record);
  const untracked = (reason: UntrackedReason): Attribution => ({
    day,
    counters,
    customerId: null,
    linkId: null,
    untracked: reason,
  });
  const query =
    record.requestUri === null
      ? EMPTY_QUERY
      : readTrackedQuery(record.requestUri, 0, record.requestUri.length, new TrackedQuery());

  if (record.requester === null) {
    const presented =
      query.credentials ||
      record.authType !== null ||
      record.signatureVersion !== null ||
      (record.errorCode !== null && AUTH_FAILURES.has(record.errorCode));
    return untracked(presented ? 'auth-failed' : 'unsigned');
  }
  if (!rules.isSigner(record.requester)) return untracked('foreign-signer');

  if (record.operation === 'REST.POST.OBJECT') {
    // A form upload has no signed query: its key, pinned by the policy, names the customer.
    // The Key field is URL-encoded (spaces as `+`), the prefixes are not.
    if (record.key === null) return untracked('no-customer');
    const owner = rules.uploadOwner(decodeQueryComponent(record.key));
    if (owner === null) return untracked('unknown-customer');
    return { day, counters, customerId: owner, linkId: null, untracked: null };
  }
  if (record.authType !== 'QueryString' || record.signatureVersion !== 'SigV4') {
    return untracked('not-presigned');
  }
  const { customerId } = query;
  if (query.customers !== 1 || !isValidCustomerId(customerId)) return untracked('no-customer');
  if (!rules.isCustomer(customerId)) return untracked('unknown-customer');
  return {
    day,
    counters,
    customerId,
    linkId: query.trackedLinkId(),
    untracked: null,
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
