import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { batchGet } from '../table/batch-get.ts';
import { ADD_COUNTERS, COUNTER_NAMES_MAP, counterValues } from '../table/counter-updates.ts';
import { TTL_ATTRIBUTE } from '../table/schema.ts';
import { linkKey } from '../table/keys.ts';
import type { LinkUsage } from '../usage/usage-aggregator.ts';
import { COUNTER_NAMES } from '../usage/usage-counters.ts';
import type { LinkRecord, LinkRegistry, LinkUsageSoFar } from './link-registry.ts';

const DAY_SECONDS = 86_400;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A link's owner and access times, as the metering reads them before adding usage. */
export interface LinkUsageState {
  customerId: string;
  firstAccess?: string;
  lastAccess?: string;
}

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

  /**
   * Each link's owner and access times as they are now (strongly consistent), for
   * `usageUpdate`; links that do not exist are absent.
   */
  async readUsageStates(linkIds: string[]): Promise<Map<string, LinkUsageState>> {
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
   * The transaction item that adds a customer's usage to its link and moves its access
   * times outwards, in one write. It is conditional on the link being that customer's (a
   * never-issued or foreign link id changes nothing), and on its times: DynamoDB has no max,
   * so without `state` it assumes the times stored lie at or before ours (the usual order)
   * and fails otherwise; with the `state` read, it computes the new times and fails if
   * another writer moved them meanwhile, instead of undoing that move.
   */
  usageUpdate(
    usage: Pick<LinkUsage, 'linkId' | 'customerId' | 'counters' | 'firstAccess' | 'lastAccess'>,
    state?: LinkUsageState,
  ): TransactItem {
    const update = (condition: string, values: Record<string, unknown>): TransactItem => ({
      Update: {
        TableName: this.tableName,
        Key: linkKey(usage.linkId),
        UpdateExpression: `SET firstAccess = ${state === undefined ? 'if_not_exists(firstAccess, :firstAccess)' : ':firstAccess'}, lastAccess = :lastAccess ${ADD_COUNTERS}`,
        ConditionExpression: `customerId = :customer AND ${condition}`,
        ExpressionAttributeNames: COUNTER_NAMES_MAP,
        ExpressionAttributeValues: {
          ...counterValues(usage.counters),
          ':customer': usage.customerId,
          ...values,
        },
      },
    });
    if (state === undefined) {
      return update(
        '(attribute_not_exists(firstAccess) OR firstAccess <= :firstAccess) AND (attribute_not_exists(lastAccess) OR lastAccess <= :lastAccess)',
        { ':firstAccess': usage.firstAccess, ':lastAccess': usage.lastAccess },
      );
    }
    const first =
      state.firstAccess !== undefined && state.firstAccess < usage.firstAccess
        ? state.firstAccess
        : usage.firstAccess;
    const last =
      state.lastAccess !== undefined && state.lastAccess > usage.lastAccess
        ? state.lastAccess
        : usage.lastAccess;
    const unchanged = (name: 'firstAccess' | 'lastAccess') =>
      state[name] === undefined ? `attribute_not_exists(${name})` : `${name} = :seen_${name}`;
    return update(`${unchanged('firstAccess')} AND ${unchanged('lastAccess')}`, {
      ':firstAccess': first,
      ':lastAccess': last,
      ...(state.firstAccess === undefined ? {} : { ':seen_firstAccess': state.firstAccess }),
      ...(state.lastAccess === undefined ? {} : { ':seen_lastAccess': state.lastAccess }),
    });
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
