import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table (docs/data-model.md; its keys are built by keys.ts): every item has `PK`
 * and `SK`; items a period or a list reads all at once also carry `GSI1PK`/`GSI1SK`; items
 * that expire carry `ttl` (epoch seconds, DynamoDB's time-to-live attribute).
 * docs/data-model.md lists every item.
 */
export const TABLE_INDEX = 'GSI1';
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The table's keys and index, as CreateTable takes them; serverless.yml declares the same,
 * and a stream the local table does without (the CloudEvents export's tests hand its
 * function the records).
 */
export function describeTable(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK'].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE_INDEX,
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
