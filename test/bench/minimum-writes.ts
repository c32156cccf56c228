import { accountKey } from '../../shared/usage/account.ts';
import { MAX_TRANSACTION_ACTIONS } from '../../shared/usage/plan-chunks.ts';
import type { UsageAggregator } from '../../shared/usage/usage-aggregator.ts';

/**
 * The fewest writes the data model (docs/data-model.md) needs to meter an aggregated log
 * object whose links all exist: its content claim and summary; per account-day a ledger
 * item and a daily total; per account-month a monthly total; per link one update; per
 * transaction of links a marker — in transactions of at most 100 actions. Write units as
 * DynamoDB bills items of up to 1 KB: 2 per item written in a transaction, 1 otherwise, and
 * 1 per index entry a customer's daily or monthly total writes into GSI1.
 */
export async function minimumWrites(usage: UsageAggregator) {
  let contributions = 0;
  let customerDays = 0;
  const months = new Set<string>();
  const customerMonths = new Set<string>();
  for await (const { account, day } of usage.accountDays()) {
    contributions++;
    const month = `${accountKey(account)} ${day.slice(0, 7)}`;
    months.add(month);
    if (account.kind === 'customer') {
      customerDays++;
      customerMonths.add(month);
    }
  }
  let links = 0;
  for await (const _ of usage.linkUsage()) links++;
  const totalsActions = 2 * contributions + months.size;
  const linkTransactions = Math.ceil(links / (MAX_TRANSACTION_ACTIONS - 1));
  const transactionalItems = totalsActions + links + linkTransactions;
  return {
    requests: 2 + Math.ceil(totalsActions / MAX_TRANSACTION_ACTIONS) + linkTransactions,
    items: 2 + transactionalItems,
    writeUnits: 2 + 2 * transactionalItems + customerDays + customerMonths.size,
  };
}
