import type { GeneratedApiKey } from './api-key.ts';
import type { Customer, NewCustomer } from './customer.ts';

/** An API key as stored: never the key itself. */
export interface ApiKeyInfo {
  keyId: string;
  customerId: string;
  createdAt: string;
  revokedAt?: string;
}

/** Where customers and their API keys live. */
export interface CustomerStore {
  /** Fails with ConflictError when the id is taken. */
  createCustomer(customer: NewCustomer, now: Date): Promise<Customer>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  listCustomers(): Promise<Customer[]>;
  /** Replaces the name, prefixes, budget and Stripe id; a NotFoundError when there is no such customer. */
  updateCustomer(customer: NewCustomer): Promise<Customer>;
  /** Its keys stop working at once; its links already issued run until they expire. */
  disableCustomer(customerId: string, now: Date): Promise<Customer>;
  /** Fails with NotFoundError (no customer) or ConflictError (customer disabled). */
  addApiKey(customerId: string, key: GeneratedApiKey, now: Date): Promise<ApiKeyInfo>;
  listApiKeys(customerId: string): Promise<ApiKeyInfo[]>;
  /** Revoking a revoked key changes nothing; an unknown key is a NotFoundError. */
  revokeApiKey(customerId: string, keyId: string, now: Date): Promise<ApiKeyInfo>;
  /** Adds `replacement` and revokes `keyId` in one transaction. */
  rotateApiKey(
    customerId: string,
    keyId: string,
    replacement: GeneratedApiKey,
    now: Date,
  ): Promise<ApiKeyInfo>;
  /** The key with this SHA-256 hash, read strongly consistent so that a revocation counts at once. */
  findApiKey(keyHash: string): Promise<ApiKeyInfo | undefined>;
}
