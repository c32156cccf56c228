import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../table/schema.ts';
import { linkKey } from '../table/keys.ts';
import { COUNTER_NAMES } from '../usage/usage-counters.ts';
import type { LinkRecord, LinkRegistry, LinkUsageSoFar } from './link-registry.ts';

const DAY_SECONDS = 86_400;

/**
 * Links in the single table as `LINK#<linkId>` (docs/data-model.md). The metering adds the
 * link's usage to the same item, so one GetItem answers `GET /links/{linkId}`.
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
