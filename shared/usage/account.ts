import { customerPartition, untrackedPartition } from '../table/keys.ts';
import type { UntrackedReason } from './attribution-rules.ts';

/** Whose totals a contribution adds to: a customer, or the untracked requests of one reason. */
export type Account =
  { kind: 'customer'; customerId: string } | { kind: 'untracked'; reason: UntrackedReason };

/** The partition key of an account's items. */
export function accountKey(account: Account): string {
  return account.kind === 'customer'
    ? customerPartition(account.customerId)
    : untrackedPartition(account.reason);
}
