import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError } from '../errors.ts';
import { TTL_ATTRIBUTE } from '../table/schema.ts';
import { linkRateKey } from '../table/keys.ts';
import type { LinkRateLimiter } from './link-rate-limiter.ts';

const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window per customer, counted in the table (`RATE#<customer>`,
 * `LINKS#<minute>`) so that every Lambda instance shares it: one conditional ADD a link,
 * refused once the minute's count reaches the limit. The item expires by TTL.
 */
export class DynamoDbLinkRateLimiter implements LinkRateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly linksPerMinute: number,
  ) {}

  async take(customerId: string, now: Date): Promise<void> {
    const windowStart = Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS;
    const windowEnd = windowStart + WINDOW_MS;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: linkRateKey(customerId, new Date(windowStart).toISOString().slice(0, 16)),
          UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': this.linksPerMinute,
            // TTL deletes within days, not at once: the window's key, not the TTL, ends it.
            ':ttl': Math.ceil(windowEnd / 1000) + 3600,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new TooManyRequestsError(
        `customer ${customerId} may be issued at most ${this.linksPerMinute} links a minute`,
        Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)),
      );
    }
  }
}
