import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { hashApiKey, readBearerKey } from './api-key.ts';
import type { Customer } from './customer.ts';
import type { CustomerStore } from './customer-store.ts';

/**
 * The customer behind an `Authorization: Bearer <key>` header. An absent, malformed,
 * unknown or revoked key is 401, all with the same message so that a caller cannot tell
 * which; a disabled customer's valid key is 403.
 */
export async function authenticateCaller(
  store: CustomerStore,
  authorization: string | undefined,
): Promise<Customer> {
  const apiKey = readBearerKey(authorization);
  const key = apiKey === undefined ? undefined : await store.findApiKey(hashApiKey(apiKey));
  const customer =
    key === undefined || key.revokedAt !== undefined
      ? undefined
      : await store.getCustomer(key.customerId);
  if (customer === undefined) {
    throw new UnauthorizedError('a valid API key is required: Authorization: Bearer <key>');
  }
  if (customer.status !== 'active') {
    throw new ForbiddenError(`customer ${customer.customerId} is ${customer.status}`);
  }
  return customer;
}
