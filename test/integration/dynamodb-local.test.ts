import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDynamoDbClient } from '../../local/clients.ts';
import { dynamoDbClientFor, sharedStack } from '../helpers/local-stack.ts';

const TABLE = `transactions-${randomUUID()}`;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  client = dynamoDbClientFor(sharedStack());
  doc = DynamoDBDocumentClient.from(client);
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
    }),
  );
});

afterAll(async () => {
  await client?.send(new DeleteTableCommand({ TableName: TABLE }));
  client?.destroy();
});

/** A ledger-style put that succeeds only once, as the metering design uses. */
const ledgerPut = (customer: string, source: string) => ({
  Put: {
    TableName: TABLE,
    Item: { PK: `CUSTOMER#${customer}`, SK: `SRC#${source}`, bytes: 1 },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

describe('DynamoDB Local from the local stack', () => {
  it('applies a TransactWriteItems of 100 actions, the DynamoDB maximum, as one unit', async () => {
    const actions = [
      ...Array.from({ length: 99 }, (_, i) => ledgerPut(`c${i}`, 'log-a')),
      {
        Update: {
          TableName: TABLE,
          Key: { PK: 'TOTALS', SK: 'log-a' },
          UpdateExpression: 'ADD requests :n',
          ExpressionAttributeValues: { ':n': 99 },
        },
      },
    ];
    await doc.send(new TransactWriteCommand({ TransactItems: actions }));
    const written = await Promise.all(
      Array.from({ length: 99 }, (_, i) =>
        doc.send(
          new GetCommand({ TableName: TABLE, Key: { PK: `CUSTOMER#c${i}`, SK: 'SRC#log-a' } }),
        ),
      ),
    );
    expect(written.filter((r) => r.Item?.bytes === 1)).toHaveLength(99);
    const totals = await doc.send(
      new GetCommand({ TableName: TABLE, Key: { PK: 'TOTALS', SK: 'log-a' } }),
    );
    expect(totals.Item?.requests).toBe(99);
  });

  it('refuses a transaction of 101 actions', async () => {
    const actions = Array.from({ length: 101 }, (_, i) => ledgerPut(`d${i}`, 'log-b'));
    await expect(
      doc.send(new TransactWriteCommand({ TransactItems: actions })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('cancels the whole transaction when one condition fails, writing nothing', async () => {
    await doc.send(new TransactWriteCommand({ TransactItems: [ledgerPut('e0', 'log-c')] }));
    const retry = doc.send(
      new TransactWriteCommand({
        TransactItems: [ledgerPut('e1', 'log-c'), ledgerPut('e0', 'log-c')],
      }),
    );
    await expect(retry).rejects.toBeInstanceOf(TransactionCanceledException);
    await expect(retry).rejects.toMatchObject({
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    const e1 = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTOMER#e1' },
      }),
    );
    expect(e1.Items).toEqual([]);
  });
});

describe('the guard on DynamoDB Local’s tables', () => {
  it('shows the stack’s tables only to a client with this checkout’s operator key', async () => {
    const stack = sharedStack();
    const stranger = createLocalDynamoDbClient({
      endpoint: stack.endpoints.dynamodb,
      region: stack.region,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const theirs = await stranger.send(new ListTablesCommand({}));
      expect(theirs.TableNames ?? []).not.toContain(TABLE);
      await expect(
        stranger.send(new DescribeTableCommand({ TableName: TABLE })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      stranger.destroy();
    }
    const ours = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(ours.Table?.TableName).toBe(TABLE);
  });
});
