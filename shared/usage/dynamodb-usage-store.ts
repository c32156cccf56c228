import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { withRetries } from '../retry.ts';
import { DynamoDbLinkRegistry, type LinkUsageState } from '../links/dynamodb-link-registry.ts';
import { batchGet } from '../table/batch-get.ts';
import { queryItems } from '../table/query-items.ts';
import { ADD_COUNTERS, COUNTER_NAMES_MAP, counterValues } from '../table/counter-updates.ts';
import { TABLE_INDEX } from '../table/schema.ts';
import {
  contentDigestKey,
  customerPartition,
  lateContributionSortKey,
  lateContributionsPartition,
  ledgerPeriodPrefix,
  ledgerSortKey,
  linkChunkMarkerKey,
  logSummaryKey,
  totalsSortKey,
} from '../table/keys.ts';
import { UNTRACKED_REASONS, type UntrackedReason } from './attribution-rules.ts';
import type { Period } from './period.ts';
import { type Account, accountKey } from './account.ts';
import type { Chunk, Contribution } from './plan-chunks.ts';
import type { LinkUsage } from './usage-aggregator.ts';
import { addCounters, COUNTER_NAMES, emptyCounters, type UsageCounters } from './usage-counters.ts';
import { periodEnd } from './settlement.ts';
import type {
  Contribution as LedgerItem,
  LateContribution,
  LogSummary,
  PeriodTotals,
  UsageStore,
} from './usage-store.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A ledger item's mark of a platform's acknowledgement: `exportedAt:<platform>`. */
const EXPORTED_AT = 'exportedAt:';

/** Links moved by other writers between our read and our write, again and again: give up. */
const MAX_LINK_ATTEMPTS = 10;

/**
 * The usage model of docs/data-model.md in the single table. A chunk's ledger items
 * (`ledgerSortKey`, conditional on not existing) are both its idempotency marker
 * and its audit trail: the transaction that adds them also ADDs to the daily and monthly
 * totals, so totals change exactly when the ledger does.
 */
export class DynamoDbUsageStore implements UsageStore {
  /** The link items are the link registry's: the metering's writes to them go through it. */
  private readonly links: DynamoDbLinkRegistry;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.links = new DynamoDbLinkRegistry(client, tableName);
  }

  async findSummary(logObject: string): Promise<LogSummary | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: logSummaryKey(logObject),
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const { PK: _pk, SK: _sk, type: _type, ...summary } = Item;
    return summary as LogSummary;
  }

  async findSummaries(logObjects: string[]): Promise<Map<string, LogSummary>> {
    const summaries = new Map<string, LogSummary>();
    for (let start = 0; start < logObjects.length; start += 100) {
      const keys = [...new Set(logObjects.slice(start, start + 100))].map((logObject) => ({
        ...logSummaryKey(logObject),
      }));
      for (const item of await batchGet(this.client, this.tableName, keys)) {
        const { PK: _pk, SK: _sk, type: _type, ...summary } = item;
        summaries.set(String(summary.logObject), summary as unknown as LogSummary);
      }
    }
    return summaries;
  }

  async claimContent(digest: string, logObject: string): Promise<string | undefined> {
    const key = contentDigestKey(digest);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, type: 'contentDigest', digest, logObject },
          // A retry of the same object claims it again; another object never does.
          ConditionExpression: 'attribute_not_exists(PK) OR logObject = :logObject',
          ExpressionAttributeValues: { ':logObject': logObject },
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return String(Item?.logObject);
  }

  async applyChunk(
    logObject: string,
    chunk: Chunk,
    appliedAt: Date,
  ): Promise<'applied' | 'skipped'> {
    if (chunk.kind === 'links') return this.applyLinkChunk(logObject, chunk.index, chunk.links);
    try {
      await this.transact(this.totalsActions(logObject, chunk.contributions, appliedAt));
      return 'applied';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // A ledger item exists. Normally the whole chunk was applied before; if the chunking
    // ever changed between two attempts, apply whatever is still missing, one by one.
    const missing = await this.missingContributions(logObject, chunk.contributions);
    for (const contribution of missing) {
      try {
        await this.transact(this.totalsActions(logObject, [contribution], appliedAt));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return missing.length === 0 ? 'skipped' : 'applied';
  }

  /**
   * Adds usage and access times to links that exist and belong to the customer the usage is
   * billed to, one write per link and, normally, no read: each update assumes the link is
   * the customer's and that its times lie at or before ours (log objects are mostly metered
   * in time order). A cancelled transaction names the conditions that failed: the marker
   * (the chunk was applied before), or links that are someone else's, unknown, or whose
   * times ours do not simply extend; those are read, and kept with exact compare-and-set
   * updates only if they are the customer's.
   */
  private async applyLinkChunk(
    logObject: string,
    index: number,
    links: LinkUsage[],
  ): Promise<'applied' | 'skipped'> {
    let pending = links;
    const read = new Map<string, LinkUsageState>();
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        await this.transact([
          {
            Put: {
              TableName: this.tableName,
              Item: { ...linkChunkMarkerKey(logObject, index), type: 'linkChunk' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...pending.map((usage) => this.links.usageUpdate(usage, read.get(usage.linkId))),
        ]);
        return 'applied';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'skipped';
        const failed = pending.filter((_, i) => reasons[i + 1]?.Code === 'ConditionalCheckFailed');
        if (failed.length === 0 || attempt === MAX_LINK_ATTEMPTS) throw error;
        const states = await this.links.readUsageStates([...new Set(failed.map((l) => l.linkId))]);
        for (const link of failed) {
          const state = states.get(link.linkId);
          if (state !== undefined) read.set(link.linkId, state);
        }
        pending = pending.filter(
          (l) => !failed.includes(l) || states.get(l.linkId)?.customerId === l.customerId,
        );
      }
    }
    // Nothing left to add: not even the marker is needed.
    return 'applied';
  }

  async writeSummary(summary: LogSummary): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...logSummaryKey(summary.logObject), type: 'logSummary', ...summary },
      }),
    );
  }

  async listTotals(period: Period): Promise<PeriodTotals[]> {
    const totals: PeriodTotals[] = [];
    const items = this.query({
      IndexName: TABLE_INDEX,
      KeyConditionExpression: 'GSI1PK = :period',
      ExpressionAttributeValues: { ':period': totalsSortKey(period) },
    });
    for await (const item of items) {
      totals.push({
        customerId: String(item.customerId),
        period: period.value,
        ...toCounters(item),
      });
    }
    return totals;
  }

  async getTotals(account: Account, period: Period): Promise<UsageCounters | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: accountKey(account), SK: totalsSortKey(period) },
      }),
    );
    return Item === undefined ? undefined : toCounters(Item);
  }

  async listUntrackedTotals(period: Period): Promise<Map<UntrackedReason, UsageCounters>> {
    const totals = await Promise.all(
      UNTRACKED_REASONS.map(
        async (reason) =>
          [reason, await this.getTotals({ kind: 'untracked', reason }, period)] as const,
      ),
    );
    return new Map(
      totals.filter((entry): entry is [UntrackedReason, UsageCounters] => entry[1] !== undefined),
    );
  }

  async listLateContributions(month: string, from: string): Promise<LateContribution[]> {
    const late: LateContribution[] = [];
    const items = this.query({
      IndexName: TABLE_INDEX,
      KeyConditionExpression: 'GSI1PK = :month AND GSI1SK >= :from',
      ExpressionAttributeValues: { ':month': lateContributionsPartition(month), ':from': from },
    });
    for await (const item of items) {
      late.push({
        customerId: String(item.customerId),
        day: String(item.day),
        logObject: String(item.logObject),
        appliedAt: String(item.appliedAt),
        ...toCounters(item),
      });
    }
    return late;
  }

  async listContributions(customerId: string, period: Period): Promise<LedgerItem[]> {
    const contributions: LedgerItem[] = [];
    for await (const item of this.ledger({ kind: 'customer', customerId }, period)) {
      const contribution = contributionOfItem(item);
      if (contribution !== undefined) contributions.push(contribution);
    }
    return contributions;
  }

  async markContributionExported(
    customerId: string,
    ledgerKey: string,
    platform: string,
    at: Date,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: accountKey({ kind: 'customer', customerId }), SK: ledgerKey },
        // Only the platform's mark: the counters of a ledger item never change.
        UpdateExpression: 'SET #mark = :at',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#mark': `${EXPORTED_AT}${platform}` },
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  async sumContributions(account: Account, period: Period): Promise<UsageCounters> {
    const sum = emptyCounters();
    for await (const item of this.ledger(account, period)) addCounters(sum, toCounters(item));
    return sum;
  }

  /** An account's ledger items of a period, read strongly consistent. */
  private ledger(account: Account, period: Period): AsyncGenerator<Record<string, unknown>> {
    return this.query({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :period)',
      ExpressionAttributeValues: {
        ':pk': accountKey(account),
        ':period': ledgerPeriodPrefix(period),
      },
      ConsistentRead: true,
    });
  }

  private query(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): AsyncGenerator<Record<string, unknown>> {
    return queryItems(this.client, this.tableName, input);
  }

  private totalsActions(
    logObject: string,
    contributions: Contribution[],
    appliedAt: Date,
  ): TransactItem[] {
    const months = new Map<string, { account: Account; month: string; counters: UsageCounters }>();
    const items: TransactItem[] = [];
    const applied = appliedAt.toISOString();
    for (const { account, day, counters, part } of contributions) {
      const late =
        account.kind === 'customer' && appliedAt >= periodEnd({ kind: 'day', value: day });
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            PK: accountKey(account),
            SK: ledgerSortKey(day, logObject, part),
            type: 'contribution',
            logObject,
            day,
            appliedAt: applied,
            ...counters,
            // After its day ended: a late adjustment once the day (or month) has settled.
            ...(late
              ? {
                  customerId: account.customerId,
                  GSI1PK: lateContributionsPartition(day.slice(0, 7)),
                  GSI1SK: lateContributionSortKey(applied, account.customerId, day),
                }
              : {}),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
      items.push(this.addToTotals(account, { kind: 'day', value: day }, counters));
      const month = day.slice(0, 7);
      const key = `${accountKey(account)} ${month}`;
      const entry = months.get(key) ?? { account, month, counters: emptyCounters() };
      addCounters(entry.counters, counters);
      months.set(key, entry);
    }
    for (const { account, month, counters } of months.values()) {
      items.push(this.addToTotals(account, { kind: 'month', value: month }, counters));
    }
    return items;
  }

  /** ADD to a totals item; a customer's items also join the index of their period. */
  private addToTotals(account: Account, period: Period, counters: UsageCounters): TransactItem {
    const customer = account.kind === 'customer';
    return {
      Update: {
        TableName: this.tableName,
        Key: { PK: accountKey(account), SK: totalsSortKey(period) },
        UpdateExpression: `SET #type = :type, #period = :period${
          customer ? ', customerId = :customer, GSI1PK = :index, GSI1SK = :pk' : ''
        } ${ADD_COUNTERS}`,
        ExpressionAttributeNames: { ...COUNTER_NAMES_MAP, '#type': 'type', '#period': 'period' },
        ExpressionAttributeValues: {
          ...counterValues(counters),
          ':type': customer ? 'totals' : 'untrackedTotals',
          ':period': period.value,
          ...(customer
            ? {
                ':customer': account.customerId,
                ':index': totalsSortKey(period),
                ':pk': accountKey(account),
              }
            : {}),
        },
      },
    };
  }

  private async missingContributions(
    logObject: string,
    contributions: Contribution[],
  ): Promise<Contribution[]> {
    const key = (c: Contribution) => ({
      PK: accountKey(c.account),
      SK: ledgerSortKey(c.day, logObject, c.part),
    });
    const items = await batchGet(this.client, this.tableName, contributions.map(key), 'PK, SK');
    const present = new Set(items.map((item) => `${String(item.PK)} ${String(item.SK)}`));
    return contributions.filter((c) => !present.has(`${key(c).PK} ${key(c).SK}`));
  }

  private async transact(items: TransactItem[]): Promise<void> {
    await withRetries(
      () => {
        return this.client.send(new TransactWriteCommand({ TransactItems: items }));
      },
      { retryable: isContention },
    );
  }
}

/**
 * A customer's ledger item as read from the table (or from its stream): undefined for any
 * other item, an untracked reason's ledger item included.
 */
export function contributionOfItem(item: Record<string, unknown>): LedgerItem | undefined {
  const customer = customerPartition('');
  const pk = String(item.PK);
  if (item.type !== 'contribution' || !pk.startsWith(customer)) return undefined;
  return {
    customerId: pk.slice(customer.length),
    day: String(item.day),
    logObject: String(item.logObject),
    ledgerKey: String(item.SK),
    appliedAt: String(item.appliedAt),
    exportedAt: Object.fromEntries(
      Object.entries(item)
        .filter(([name]) => name.startsWith(EXPORTED_AT))
        .map(([name, at]) => [name.slice(EXPORTED_AT.length), String(at)]),
    ),
    ...toCounters(item),
  };
}

function toCounters(item: Record<string, unknown>): UsageCounters {
  const counters = emptyCounters();
  for (const name of COUNTER_NAMES) counters[name] = Number(item[name] ?? 0);
  return counters;
}

/** A transaction cancelled because a ledger item or marker already exists. */
function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}

/** Another writer on the same item, or throttling: worth a retry after a backoff. */
function isContention(error: unknown): boolean {
  if (
    error instanceof TransactionConflictException ||
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof RequestLimitExceeded ||
    error instanceof ThrottlingException
  ) {
    return true;
  }
  return (
    error instanceof TransactionCanceledException &&
    !isConditionFailure(error) &&
    (error.CancellationReasons ?? []).some((reason) =>
      ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(
        reason.Code ?? '',
      ),
    )
  );
}
