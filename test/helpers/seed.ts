import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../../shared/concurrency.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbLinkRegistry } from '../../shared/links/dynamodb-link-registry.ts';

interface TableRef {
  documents: DynamoDBDocumentClient;
  tableName: string;
}

/** Creates these customers (default upload prefix `uploads/<id>/`), as the CLI would. */
export async function seedCustomers(table: TableRef, ids: readonly string[]): Promise<void> {
  const store = new DynamoDbCustomerStore(table.documents, table.tableName);
  await forEachConcurrently(ids, 16, async (customerId) => {
    await store.createCustomer(validateNewCustomer({ customerId }), new Date());
  });
}

/** Records issued GET links of these customers, as the link API would. */
export async function seedLinks(
  table: TableRef,
  links: ReadonlyArray<{ linkId: string; customerId: string }>,
): Promise<void> {
  const registry = new DynamoDbLinkRegistry(table.documents, table.tableName);
  const issuedAt = new Date();
  await forEachConcurrently(links, 16, async ({ linkId, customerId }) => {
    await registry.record(
      {
        linkId,
        customerId,
        bucket: 'content',
        key: 'a.bin',
        method: 'GET',
        issuedAt: issuedAt.toISOString(),
        expiresAt: new Date(issuedAt.getTime() + 900_000).toISOString(),
      },
      1,
    );
  });
}
