import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../concurrency.ts';
import { batchGet } from '../table/batch-get.ts';
import { ADD_COUNTERS, COUNTER_NAMES_MAP, counterValues } from '../table/counter-updates.ts';
import { TTL_ATTRIBUTE } from '../table/schema.ts';
import { linkKey } from '../table/keys.ts';
import type { LinkUsage } from '../usage/usage-aggregator.ts';
import { COUNTER_NAMES } from '../usage/usage-counters.ts';
import type { LinkRecord, LinkRegistry, LinkUsageSoFar } from './link-registry.ts';

const DAY_SECONDS = 86_400;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Where a link's first and last access times should move to (only those that move). */
interface AccessTimeMove {
  linkId: string;
  firstAccess?: string;
  lastAccess?: string;
}

/** Access-time writes in flight at once: they are independent, and one at a time is slow. */
const ACCESS_TIME_WRITERS = 16;

/**
 * Links in the single table (`linkKey`, docs/data-model.md), and every write to them: the
 * record when a link is issued, and the usage and access times the metering adds to the same
 * item, so one GetItem answers `GET /links/{linkId}`.
 */
export class DynamoDbLinkRegistry implements LinkRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(link: LinkRecord, retentionDays: number): Promise<void> {
    const expiresAtSeconds = Math.ceil(Date.parse(link.expiresAt) / 1000);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...linkKey(link.linkId),
          type: 'link',
          ...link,
          [TTL_ATTRIBUTE]: expiresAtSeconds + retentionDays * DAY_SECONDS,
        },
        // 128 random bits never collide; the condition makes sure of it.
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async recordAccessTimes(links: Iterable<LinkUsage>): Promise<void> {
    // Times only move outwards, so a time already at or beyond ours stays so: reading first
    // (100 links a request) leaves only the writes that change something.
    const entries = [...links];
    const moves: AccessTimeMove[] = [];
    for (let start = 0; start < entries.length; start += 100) {
      const batch = entries.slice(start, start + 100);
      const known = await this.readAccessTimes([...new Set(batch.map((u) => u.linkId))]);
      for (const usage of batch) {
        const { linkId } = usage;
        const current = known.get(linkId);
        // Only links that exist, and only for the customer they were issued to.
        if (current?.customerId !== usage.customerId) continue;
        const move: AccessTimeMove = { linkId };
        if (!(current?.firstAccess !== undefined && current.firstAccess <= usage.firstAccess)) {
          move.firstAccess = usage.firstAccess;
        }
        if (!(current?.lastAccess !== undefined && current.lastAccess >= usage.lastAccess)) {
          move.lastAccess = usage.lastAccess;
        }
        if (move.firstAccess !== undefined || move.lastAccess !== undefined) moves.push(move);
      }
    }
    await forEachConcurrently(moves, ACCESS_TIME_WRITERS, async (move) => {
      // One write for both times; if another writer moved one of them meanwhile, the
      // condition fails and each time is tried on its own.
      if (await this.moveAccessTimes(move)) return;
      if (move.firstAccess !== undefined && move.lastAccess !== undefined) {
        await this.moveAccessTimes({ linkId: move.linkId, firstAccess: move.firstAccess });
        await this.moveAccessTimes({ linkId: move.linkId, lastAccess: move.lastAccess });
      }
    });
  }

  /** Sets the given access times if each moves outwards; false when a condition fails. */
  private async moveAccessTimes(move: AccessTimeMove): Promise<boolean> {
    const times = (['firstAccess', 'lastAccess'] as const).filter((n) => move[n] !== undefined);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: linkKey(move.linkId),
          UpdateExpression: `SET ${times.map((n) => `${n} = :${n}`).join(', ')}`,
          // ISO 8601 UTC times compare correctly as strings. A link that is gone stays gone.
          ConditionExpression: [
            'attribute_exists(PK)',
            ...times.map(
              (n) =>
                `(attribute_not_exists(${n}) OR ${n} ${n === 'firstAccess' ? '>' : '<'} :${n})`,
            ),
          ].join(' AND '),
          ExpressionAttributeValues: Object.fromEntries(times.map((n) => [`:${n}`, move[n]])),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async readAccessTimes(
    linkIds: string[],
  ): Promise<Map<string, { customerId: string; firstAccess?: string; lastAccess?: string }>> {
    const items = await batchGet(
      this.client,
      this.tableName,
      linkIds.map((id) => linkKey(id)),
      'linkId, customerId, firstAccess, lastAccess',
    );
    return new Map(
      items.map((item) => [
        String(item.linkId),
        {
          customerId: String(item.customerId),
          ...(typeof item.firstAccess === 'string' ? { firstAccess: item.firstAccess } : {}),
          ...(typeof item.lastAccess === 'string' ? { lastAccess: item.lastAccess } : {}),
        },
      ]),
    );
  }

  /**
   * The transaction item that adds a customer's usage to its link: conditional on the link
   * existing and being that customer's, so a never-issued or foreign link id changes nothing.
   */
  usageUpdate(usage: Pick<LinkUsage, 'linkId' | 'customerId' | 'counters'>): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: linkKey(usage.linkId),
        UpdateExpression: ADD_COUNTERS,
        ConditionExpression: 'attribute_exists(PK) AND customerId = :customer',
        ExpressionAttributeNames: COUNTER_NAMES_MAP,
        ExpressionAttributeValues: {
          ...counterValues(usage.counters),
          ':customer': usage.customerId,
        },
      },
    };
  }

  async find(linkId: string, now: Date) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: linkKey(linkId) }),
    );
    // DynamoDB deletes expired items within days, not at once: an expired one is gone.
    if (Item === undefined || Number(Item[TTL_ATTRIBUTE]) * 1000 <= now.getTime()) return undefined;
    return { link: toLinkRecord(Item), usage: toUsage(Item) };
  }
}

function toLinkRecord(item: Record<string, unknown>): LinkRecord {
  const optional = <K extends keyof LinkRecord>(name: K) =>
    item[name] === undefined ? {} : { [name]: item[name] as LinkRecord[K] };
  return {
    linkId: String(item.linkId),
    customerId: String(item.customerId),
    bucket: String(item.bucket),
    key: String(item.key),
    method: item.method as LinkRecord['method'],
    issuedAt: String(item.issuedAt),
    expiresAt: String(item.expiresAt),
    ...optional('filename'),
    ...optional('contentType'),
    ...optional('contentLength'),
    ...optional('maxBytes'),
  };
}

function toUsage(item: Record<string, unknown>): LinkUsageSoFar {
  const usage = { firstAccess: null, lastAccess: null } as Record<string, unknown>;
  for (const name of COUNTER_NAMES) usage[name] = Number(item[name] ?? 0);
  if (typeof item.firstAccess === 'string') usage.firstAccess = item.firstAccess;
  if (typeof item.lastAccess === 'string') usage.lastAccess = item.lastAccess;
  return usage as unknown as LinkUsageSoFar;
}
