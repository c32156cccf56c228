import {
  type DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';

type Item = NonNullable<QueryCommandOutput['Items']>[number];

/** Every item a Query of the table (or its index) finds, page after page. */
export async function* queryItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, 'TableName'>,
): AsyncGenerator<Item> {
  const pages = paginateQuery({ client }, { TableName: tableName, ...input });
  for await (const page of pages) yield* page.Items ?? [];
}
