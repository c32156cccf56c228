import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateApiKey } from '../shared/customers/api-key.ts';
import { validateNewCustomer } from '../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../shared/customers/dynamodb-customer-store.ts';

export const DEMO_CUSTOMER = 'demo';
export const DEMO_OBJECT = 'demo/hello.txt';
const KEY_FILE = 'demo-api-key';

/**
 * The customer `npm start` offers to try things with: created on first start with an API
 * key and a file to download. Only the local stack keeps the key in a file (in its git-ignored
 * data folder, mode 0600), so that a restart can print it again; in AWS a key is shown once.
 * Resolves with the key, or undefined when the customer exists but its key was not kept.
 */
export async function ensureDemoCustomer(options: {
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  tableName: string;
  bucket: string;
  dataDir?: string;
}): Promise<{ apiKey: string | undefined; created: boolean }> {
  const store = new DynamoDbCustomerStore(options.documents, options.tableName);
  const keyFile = options.dataDir === undefined ? undefined : join(options.dataDir, KEY_FILE);
  if ((await store.getCustomer(DEMO_CUSTOMER)) !== undefined) {
    const apiKey =
      keyFile !== undefined && existsSync(keyFile)
        ? readFileSync(keyFile, 'utf8').trim()
        : undefined;
    return { apiKey, created: false };
  }
  const now = new Date();
  await store.createCustomer(
    validateNewCustomer({
      customerId: DEMO_CUSTOMER,
      name: 'Demo customer',
      keyPrefixes: ['demo/'],
    }),
    now,
  );
  const key = generateApiKey();
  await store.addApiKey(DEMO_CUSTOMER, key, now);
  if (keyFile !== undefined) writeFileSync(keyFile, `${key.apiKey}\n`, { mode: 0o600 });
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: DEMO_OBJECT,
      Body: 'Hello from s3-usage-meter: this download is metered.\n',
      ContentType: 'text/plain',
    }),
  );
  return { apiKey: key.apiKey, created: true };
}

/** Commands a newcomer can paste into another terminal, exactly as they work. */
export function tryItCommands(apiUrl: string, apiKey: string | undefined, month: string): string {
  const key = apiKey ?? '$(npx usage-meter keys create demo --local | sed -n "s/^api key *//p")';
  return [
    'Try it in another terminal:',
    `  KEY=${key}`,
    `  URL=$(curl -s -X POST ${apiUrl}/links -H "authorization: Bearer $KEY" -d '{"key":"${DEMO_OBJECT}","method":"GET"}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).url')`,
    '  curl -s "$URL"',
    `  npx usage-meter report --local --period ${month}   # once the next log delivery is metered`,
    `  curl -s "${apiUrl}/usage?period=${month}" -H "authorization: Bearer $KEY"`,
    '',
  ].join('\n');
}
