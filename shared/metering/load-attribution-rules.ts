import type { CustomerStore } from '../customers/customer-store.ts';
import { type AttributionRules, createAttributionRules } from '../usage/attribution-rules.ts';

/**
 * The attribution rules over the customers in the store, listed at the first call and then
 * shared: a run that meters nothing new (a repeated delivery) never lists them.
 */
export function lazyAttributionRules(
  customers: Pick<CustomerStore, 'listCustomers'>,
  signers: readonly string[],
): () => Promise<AttributionRules> {
  let rules: Promise<AttributionRules> | undefined;
  return () =>
    (rules ??= customers
      .listCustomers()
      .then((all) => createAttributionRules({ signers, customers: all })));
}
