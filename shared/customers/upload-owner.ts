import type { Customer } from './customer.ts';
import type { CustomerStore } from './customer-store.ts';
import { isValidCustomerId } from './customer-id.ts';

/** Whose upload an object key is, or null when it is nobody's. */
export type UploadOwnerLookup = (key: string) => string | null;

const DEFAULT_UPLOAD_KEY = /^uploads\/([^/]+)\/./;

/**
 * Attributes uploads that carry no signed customer (browser POST forms) by where they
 * landed: the longest of the given customers' upload prefixes that the key starts with,
 * else the default layout `uploads/<customerId>/…`. The POST policy pins the key inside
 * the issuing customer's upload prefix, so the key names the customer as surely as a
 * signed `x-customer-id` does.
 */
export function createUploadOwnerLookup(
  customers: Iterable<Pick<Customer, 'customerId' | 'uploadPrefix'>> = [],
): UploadOwnerLookup {
  const prefixes = [...customers].sort((a, b) => b.uploadPrefix.length - a.uploadPrefix.length);
  return (key) => {
    const custom = prefixes.find((c) => key.startsWith(c.uploadPrefix));
    if (custom !== undefined) return custom.customerId;
    const id = DEFAULT_UPLOAD_KEY.exec(key)?.[1];
    return id !== undefined && isValidCustomerId(id) ? id : null;
  };
}

/**
 * The lookup over the customers in the store, listed at the first call and then shared: a
 * run that meters nothing new (a repeated delivery) never lists them.
 */
export function lazyUploadOwnerLookup(
  customers: Pick<CustomerStore, 'listCustomers'>,
): () => Promise<UploadOwnerLookup> {
  let lookup: Promise<UploadOwnerLookup> | undefined;
  return () => (lookup ??= customers.listCustomers().then((all) => createUploadOwnerLookup(all)));
}
