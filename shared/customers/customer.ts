import { hasControlCharacter } from '../control-characters.ts';
import type { FieldProblem } from '../errors.ts';
import { ValidationError } from '../errors.ts';
import { CUSTOMER_ID_PATTERN } from './customer-id.ts';

export const CUSTOMER_STATUSES = ['active', 'disabled'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** What an operator gives to create a customer. */
export interface NewCustomer {
  customerId: string;
  name: string;
  /** Prefixes of the content bucket whose objects the customer may get links to download. */
  keyPrefixes: readonly string[];
  /** Where the customer's uploads go; it may also download from here. */
  uploadPrefix: string;
  /**
   * Bytes (downloaded plus uploaded) a UTC month may meter before new links are refused:
   * a soft limit, as metering runs behind the requests (docs/billing.md). None when absent.
   */
  monthlyByteBudget?: number;
  /** The customer's id in Stripe (`cus_…`), for `usage-meter export stripe`. */
  stripeCustomerId?: string;
}

/** A customer as stored. */
export interface Customer extends NewCustomer {
  status: CustomerStatus;
  createdAt: string;
  disabledAt?: string;
}

/** Where a customer's uploads go unless the operator says otherwise. */
export function defaultUploadPrefix(customerId: string): string {
  return `uploads/${customerId}/`;
}

const STRIPE_CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,250}$/;

/** The key prefix that stands for the whole content bucket. */
export const WHOLE_BUCKET = '';

/**
 * Checks an operator's input for a customer, naming every bad field. Prefixes are folders:
 * they end with `/`, so that `reports/acme` cannot also cover `reports/acme-corp/…`. The
 * whole bucket is a download prefix only when asked for by `wholeBucket`.
 */
export function validateNewCustomer(input: {
  customerId: string;
  name?: string | undefined;
  keyPrefixes?: readonly string[] | undefined;
  uploadPrefix?: string | undefined;
  wholeBucket?: boolean | undefined;
  monthlyByteBudget?: number | undefined;
  stripeCustomerId?: string | undefined;
}): NewCustomer {
  const problems: FieldProblem[] = [];
  if (!CUSTOMER_ID_PATTERN.test(input.customerId)) {
    problems.push({
      field: 'customerId',
      problem: 'must be a letter or digit followed by up to 63 of A-Z a-z 0-9 . _ -',
    });
  }
  const keyPrefixes = input.keyPrefixes ?? [];
  keyPrefixes.forEach((prefix, index) => {
    const problem = folderProblem(prefix);
    if (problem !== undefined) problems.push({ field: `keyPrefixes[${index}]`, problem });
  });
  const uploadPrefix = input.uploadPrefix ?? defaultUploadPrefix(input.customerId);
  const uploadProblem = folderProblem(uploadPrefix);
  if (uploadProblem !== undefined) problems.push({ field: 'uploadPrefix', problem: uploadProblem });
  const budget = input.monthlyByteBudget;
  if (budget !== undefined && !(Number.isSafeInteger(budget) && budget > 0)) {
    problems.push({
      field: 'monthlyByteBudget',
      problem: `must be a whole number of bytes from 1 to ${Number.MAX_SAFE_INTEGER}`,
    });
  }
  const stripe = input.stripeCustomerId;
  if (stripe !== undefined && !STRIPE_CUSTOMER_ID.test(stripe)) {
    problems.push({
      field: 'stripeCustomerId',
      problem: 'must be a Stripe customer id: cus_ and up to 250 letters or digits',
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    customerId: input.customerId,
    name: input.name ?? input.customerId,
    keyPrefixes: [
      ...new Set([...(input.wholeBucket === true ? [WHOLE_BUCKET] : []), ...keyPrefixes]),
    ],
    uploadPrefix,
    ...(budget === undefined ? {} : { monthlyByteBudget: budget }),
    ...(stripe === undefined ? {} : { stripeCustomerId: stripe }),
  };
}

function folderProblem(prefix: string): string | undefined {
  if (Buffer.byteLength(prefix) > 1024) return 'must be at most 1024 bytes';
  if (hasControlCharacter(prefix)) return 'must not contain control characters';
  if (!prefix.endsWith('/') || prefix.startsWith('/')) {
    return 'must be a folder: non-empty, ending in / and not starting with /';
  }
  if (
    prefix
      .split('/')
      .slice(0, -1)
      .some((part) => part === '' || part === '.' || part === '..')
  ) {
    return 'must not have empty, . or .. segments';
  }
  return undefined;
}

/**
 * The other customer whose upload prefix holds this one or lies inside it, if any: form
 * uploads are attributed by prefix, so two customers' upload folders must never nest.
 */
export function findUploadPrefixConflict(
  customer: Pick<NewCustomer, 'customerId' | 'uploadPrefix'>,
  others: Iterable<Pick<NewCustomer, 'customerId' | 'uploadPrefix'>>,
): Pick<NewCustomer, 'customerId' | 'uploadPrefix'> | undefined {
  for (const other of others) {
    if (other.customerId === customer.customerId) continue;
    if (
      other.uploadPrefix.startsWith(customer.uploadPrefix) ||
      customer.uploadPrefix.startsWith(other.uploadPrefix)
    ) {
      return other;
    }
  }
  return undefined;
}

/**
 * A stored prefix as the folder it names. Prefixes are validated as folders now; one stored
 * before that rule (`reports/acme`) must still not cover `reports/acme-corp/…`.
 */
function asFolder(prefix: string): string {
  return prefix === WHOLE_BUCKET || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Whether the customer may get a download link for this key. */
export function mayDownload(customer: NewCustomer, key: string): boolean {
  return (
    mayUpload(customer, key) ||
    customer.keyPrefixes.some((prefix) => key.startsWith(asFolder(prefix)))
  );
}

/** Whether the customer may get an upload link for this key: only under its upload prefix. */
export function mayUpload(customer: NewCustomer, key: string): boolean {
  const folder = asFolder(customer.uploadPrefix);
  return key.startsWith(folder) && key.length > folder.length;
}
