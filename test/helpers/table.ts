import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../local/dynamodb/create-table.ts';
import { dynamoDbClientFor, sharedStack } from './local-stack.ts';

/** A fresh table of this test file's own on the shared DynamoDB Local, and clients for it. */
export async function createTestTable() {
  const dynamodb = dynamoDbClientFor(sharedStack());
  const tableName = `test-${randomBytes(6).toString('hex')}`;
  await ensureTable(dynamodb, tableName);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  return {
    tableName,
    dynamodb,
    documents,
    destroy: () => dynamodb.destroy(),
  };
}
