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

/**
 * Checks an operator's input for a new customer, naming every bad field. The upload prefix
 * must end with `/` so that `uploads/acme` cannot also cover `uploads/acme-corp/…`.
 */
export function validateNewCustomer(input: {
  customerId: string;
  name?: string | undefined;
  keyPrefixes?: readonly string[] | undefined;
  uploadPrefix?: string | undefined;
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
    const problem = prefixProblem(prefix);
    if (problem !== undefined) problems.push({ field: `keyPrefixes[${index}]`, problem });
  });
  const uploadPrefix = input.uploadPrefix ?? defaultUploadPrefix(input.customerId);
  const uploadProblem = prefixProblem(uploadPrefix);
  if (uploadProblem !== undefined) {
    problems.push({ field: 'uploadPrefix', problem: uploadProblem });
  } else if (!uploadPrefix.endsWith('/') || uploadPrefix === '/') {
    problems.push({ field: 'uploadPrefix', problem: 'must be a folder: non-empty, ending in /' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    customerId: input.customerId,
    name: input.name ?? input.customerId,
    keyPrefixes: [...new Set(keyPrefixes)],
    uploadPrefix,
  };
}

function prefixProblem(prefix: string): string | undefined {
  if (Buffer.byteLength(prefix) > 1024) return 'must be at most 1024 bytes';
  if (hasControlCharacter(prefix)) return 'must not contain control characters';
  return undefined;
}

/** Whether the customer may get a download link for this key. */
export function mayDownload(customer: NewCustomer, key: string): boolean {
  return (
    key.startsWith(customer.uploadPrefix) ||
    customer.keyPrefixes.some((prefix) => key.startsWith(prefix))
  );
}

/** Whether the customer may get an upload link for this key: only under its upload prefix. */
export function mayUpload(customer: NewCustomer, key: string): boolean {
  return key.startsWith(customer.uploadPrefix) && key.length > customer.uploadPrefix.length;
}
