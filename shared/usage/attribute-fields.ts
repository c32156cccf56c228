import { AuthType, type MeteringFields } from '../access-log/metering-fields.ts';
import { decodeQueryComponent } from '../access-log/request-uri.ts';
import { isValidCustomerId } from '../customers/customer-id.ts';
import { AUTH_FAILURES, UPLOAD_OPERATIONS } from './attribute-request.ts';
import type { AttributionRules, UntrackedReason } from './attribution-rules.ts';
import { readTrackedQuery, TrackedQuery } from './request-query.ts';
import { detached } from '../detached.ts';

/** Slots of the counters in COUNTER_NAMES order. */
export const DOWNLOAD_BYTES = 0;
const DOWNLOAD_REQUESTS = 1;
export const UPLOAD_BYTES = 2;
const UPLOAD_REQUESTS = 3;
const ERROR_REQUESTS = 4;
const OTHER_REQUESTS = 5;

/** Whom one request is billed to and what it adds: filled in place, line after line. */
export class FieldAttribution {
  /** Days since 1970-01-01 of the request's UTC day. */
  day = 0;
  /** The counter slot the request counts one in. */
  requestSlot = OTHER_REQUESTS;
  /** The counter slot its bytes add to, or -1. */
  bytesSlot = -1;
  bytes = 0;
  customerId: string | null = null;
  linkId: string | null = null;
  untracked: UntrackedReason | null = null;
}

const EMPTY_QUERY = new TrackedQuery();
const MAX_REMEMBERED_CUSTOMERS = 10_000;

/**
 * `attributeRequest`'s rule (docs/attribution.md) on the fields of the metering fast path:
 * the same decisions, reading only what each needs, remembering the last requester and
 * the customers seen (a log repeats them line after line). A property test holds the two
 * together.
 */
export class FieldAttributor {
  readonly #rules: AttributionRules;
  readonly #query = new TrackedQuery();
  #requester = '';
  #requesterIsSigner = false;
  /**
   * Customer id → the id, when it is a customer's, else why it bills nobody. The id is kept
   * once and given for every line that names it: a string per line would outlive the line
   * wherever the aggregator keeps it, and a long one would keep the line's text alive.
   */
  readonly #customers = new Map<string, { id: string } | UntrackedReason>();

  constructor(rules: AttributionRules) {
    this.#rules = rules;
  }

  /** Attributes the request in `fields` into `out`; false when it has no time (no day). */
  attribute(fields: MeteringFields, out: FieldAttribution): boolean {
    if (Number.isNaN(fields.time)) return false;
    out.day = Math.floor(fields.time / 86_400);
    count(fields, out);
    out.customerId = null;
    out.linkId = null;
    out.untracked = this.#customerOf(fields, out);
    return true;
  }

  /** Sets the customer and link in `out`, or returns why the request bills nobody. */
  #customerOf(fields: MeteringFields, out: FieldAttribution): UntrackedReason | null {
    if (fields.requesterStart === -1 && fields.requesterWithSpaces === null) {
      const errorCode = fields.text(fields.errorCodeStart, fields.errorCodeEnd);
      const presented =
        this.#readQuery(fields, true).credentials ||
        fields.authType !== AuthType.None ||
        fields.signatureVersion !== -1 ||
        (errorCode !== null && AUTH_FAILURES.has(errorCode));
      return presented ? 'auth-failed' : 'unsigned';
    }
    if (!this.#isSigner(fields)) return 'foreign-signer';

    if (fields.equals(fields.operationStart, fields.operationEnd, 'REST.POST.OBJECT')) {
      const key = fields.text(fields.keyStart, fields.keyEnd);
      if (key === null) return 'no-customer';
      const owner = this.#rules.uploadOwner(decodeQueryComponent(key));
      if (owner === null) return 'unknown-customer';
      out.customerId = owner;
      return null;
    }
    if (fields.authType !== AuthType.QueryString || fields.signatureVersion !== 4) {
      return 'not-presigned';
    }
    const query = this.#readQuery(fields, false);
    const { customerId } = query;
    if (query.customers !== 1) return 'no-customer';
    let known = this.#customers.get(customerId);
    if (known === undefined) {
      const id = detached(customerId);
      known = !isValidCustomerId(id)
        ? 'no-customer'
        : this.#rules.isCustomer(id)
          ? { id }
          : 'unknown-customer';
      // Remembered for the object's customers, within bounds whatever the log holds.
      if (this.#customers.size === MAX_REMEMBERED_CUSTOMERS) this.#customers.clear();
      this.#customers.set(id, known);
    }
    if (typeof known === 'string') return known;
    out.customerId = known.id;
    out.linkId = query.trackedLinkId();
    return null;
  }

  #readQuery(fields: MeteringFields, credentials: boolean): TrackedQuery {
    if (fields.requestUriStart === -1) return EMPTY_QUERY;
    return readTrackedQuery(
      fields.line,
      fields.requestUriStart,
      fields.requestUriEnd,
      this.#query,
      credentials,
    );
  }

  #isSigner(fields: MeteringFields): boolean {
    const { requesterStart: start, requesterEnd: end, requesterWithSpaces } = fields;
    if (requesterWithSpaces === null && fields.equals(start, end, this.#requester)) {
      return this.#requesterIsSigner;
    }
    this.#requester = requesterWithSpaces ?? fields.line.slice(start, end);
    this.#requesterIsSigner = this.#rules.isSigner(this.#requester);
    return this.#requesterIsSigner;
  }
}

/**
 * What one request adds (`countRequest`): a GET object answered 200/206 downloads Bytes
 * Sent; a successful PUT/POST object or upload part uploads Object Size; status ≥ 400 is an
 * error; the rest is other.
 */
function count(fields: MeteringFields, out: FieldAttribution): void {
  const status = fields.httpStatus;
  out.bytesSlot = -1;
  out.bytes = 0;
  if (status >= 400) {
    out.requestSlot = ERROR_REQUESTS;
  } else if (
    (status === 200 || status === 206) &&
    fields.equals(fields.operationStart, fields.operationEnd, 'REST.GET.OBJECT')
  ) {
    out.requestSlot = DOWNLOAD_REQUESTS;
    out.bytesSlot = DOWNLOAD_BYTES;
    out.bytes = Math.max(fields.bytesSent, 0);
  } else if (status >= 200 && status < 300 && isUpload(fields)) {
    out.requestSlot = UPLOAD_REQUESTS;
    out.bytesSlot = UPLOAD_BYTES;
    out.bytes = Math.max(fields.objectSize, 0);
  } else {
    out.requestSlot = OTHER_REQUESTS;
  }
}

function isUpload(fields: MeteringFields): boolean {
  const { operationStart: start, operationEnd: end } = fields;
  if (start === -1 || end - start < 12 || end - start > 16) return false;
  for (const operation of UPLOAD_OPERATIONS) if (fields.equals(start, end, operation)) return true;
  return false;
}
