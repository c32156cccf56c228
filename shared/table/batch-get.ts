import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem of up to 100 keys, strongly consistent, until none is left unprocessed. */
export async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Array<Record<string, unknown>>,
  projection?: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let pending = keys;
  while (pending.length > 0) {
    const { Responses, UnprocessedKeys } = await client.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: {
            Keys: pending,
            ...(projection === undefined ? {} : { ProjectionExpression: projection }),
            ConsistentRead: true,
          },
        },
      }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return items;
}
