import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { exportLeaseKey, exportOutboxKey, exportOutboxPartition } from '../table/keys.ts';
import { queryItems } from '../table/query-items.ts';

/**
 * One customer-day-meter as last exported: `sent` until the platform acknowledged it,
 * then `acknowledged`; `refused` when the platform would not take it (too old for it).
 */
export interface OutboxEntry {
  customerId: string;
  day: string;
  meter: string;
  /** Whom the platform bills: the customer's id there. */
  billingId: string;
  identifier: string;
  value: number;
  status: 'sent' | 'acknowledged' | 'refused';
  sentAt: string;
  acknowledgedAt?: string;
  refusal?: string;
}

/** How long an outbox item is kept after its day (DynamoDB TTL). */
const RETENTION_DAYS = 400;

/**
 * The outbox of one billing platform in the single table (docs/data-model.md): what was
 * sent, with which identifier and value, and when the platform acknowledged it. An item is
 * marked acknowledged only after the platform answered, so a crash in between leaves it
 * `sent`, and the next run sends it again with the same identifier.
 */
export class DynamoDbExportOutbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly platform: string,
  ) {}

  /** Every item of a day, by `customerId meter`. */
  async listDay(day: string): Promise<Map<string, OutboxEntry>> {
    const entries = new Map<string, OutboxEntry>();
    const items = queryItems(this.client, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :day)',
      ExpressionAttributeValues: {
        ':pk': exportOutboxPartition(this.platform),
        ':day': `${day}#`,
      },
      ConsistentRead: true,
    });
    for await (const item of items) {
      const { PK: _pk, SK: _sk, type: _type, ttl: _ttl, ...entry } = item;
      const outboxEntry = entry as OutboxEntry;
      entries.set(`${outboxEntry.customerId} ${outboxEntry.meter}`, outboxEntry);
    }
    return entries;
  }

  /** Records that `entry` is about to be sent (or was refused): it replaces what was there. */
  async record(entry: OutboxEntry): Promise<void> {
    const dayEnd = Date.parse(`${entry.day}T00:00:00Z`) / 1000 + 86_400;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...exportOutboxKey(this.platform, entry.day, entry.customerId, entry.meter),
          type: 'exportOutbox',
          platform: this.platform,
          ...entry,
          ttl: dayEnd + RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  /** Marks the sent entry acknowledged, unless a newer value replaced it meanwhile. */
  async acknowledge(entry: OutboxEntry, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: exportOutboxKey(this.platform, entry.day, entry.customerId, entry.meter),
          UpdateExpression: 'SET #status = :acknowledged, acknowledgedAt = :at',
          ConditionExpression: 'identifier = :identifier',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':acknowledged': 'acknowledged',
            ':at': at.toISOString(),
            ':identifier': entry.identifier,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Takes the platform's lease for `seconds` unless another run holds one that has not
   * expired; false when it is held.
   */
  async takeLease(owner: string, now: Date, seconds: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...exportLeaseKey(this.platform),
            type: 'exportLease',
            owner,
            expiresAt: now.getTime() + seconds * 1000,
            ttl: Math.ceil(now.getTime() / 1000) + seconds,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now.getTime() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLease(owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: exportLeaseKey(this.platform),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
