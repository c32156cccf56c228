// npm run bench: 50 log objects that all bill one customer, metered at once into DynamoDB
// Local: how many of their transactions conflict on the customer's daily and monthly totals
// and are retried, and whether the totals still come out exact (docs/scaling.md).
import {
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { createLocalClients } from '../../local/clients.ts';
import { ensureTable } from '../../local/dynamodb/create-table.ts';
import { startLocalStack } from '../../local/local-stack.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { makeRecord, presignedUri } from '../helpers/records.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const OBJECTS = 50;
const LINES = 2000;
const HOT = 'hot';

// Each object: a third of its requests the hot customer's, the rest spread over 300 others.
let expectedHotBytes = 0;
const objects = Array.from({ length: OBJECTS }, (_, o) => {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const customer = i % 3 === 0 ? HOT : `c${(o * 7 + i) % 300}`;
    const bytes = 1000 + ((o * LINES + i) % 977);
    if (customer === HOT) expectedHotBytes += bytes;
    lines.push(
      formatAccessLogRecord(
        makeRecord({
          requestId: `R${o}x${i}`,
          time: `2026-11-22T10:${String(o % 60).padStart(2, '0')}:00Z`,
          bytesSent: bytes,
          requestUri: presignedUri('GET', '/b/k', customer, null),
        }),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
});

const stack = await startLocalStack({ buckets: [], dynamodbPort: 0, s3Port: 0 });
const { dynamodb } = createLocalClients(stack);
let transactions = 0;
let conflicts = 0;
dynamodb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') transactions++;
    try {
      return await next(args);
    } catch (error) {
      const conflict =
        error instanceof TransactionConflictException ||
        (error instanceof TransactionCanceledException &&
          (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict'));
      if (conflict) conflicts++;
      throw error;
    }
  },
  { step: 'initialize', name: 'countConflicts' },
);
try {
  await ensureTable(dynamodb, 'hot');
  const store = new DynamoDbUsageStore(DynamoDBDocumentClient.from(dynamodb), 'hot');
  const rules = createOfflineAttributionRules([SIGNER_ROLE]);
  const started = performance.now();
  await Promise.all(
    objects.map((text, o) =>
      meterLogObject({
        store,
        logObject: `logs/hot-${o}`,
        open: () => Promise.resolve([Buffer.from(text)]),
        loadRules: () => Promise.resolve(rules),
        now: () => new Date(),
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const totals = await store.getTotals(
    { kind: 'customer', customerId: HOT },
    { kind: 'month', value: '2026-11' },
  );
  console.log(
    `${OBJECTS} log objects of one customer metered at once: ${transactions} transactions in ${seconds.toFixed(1)} s, ${conflicts} of them conflicted and were retried (${((100 * conflicts) / transactions).toFixed(1)}%)`,
  );
  console.log(
    `the customer's monthly total: ${totals?.downloadBytes} bytes, ${totals?.downloadBytes === expectedHotBytes ? 'exact' : `WRONG: expected ${expectedHotBytes}`}`,
  );
} finally {
  dynamodb.destroy();
  await stack.stop();
}
