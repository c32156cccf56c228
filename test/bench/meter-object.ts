// Child process of the metering benchmark: meters one log into DynamoDB Local — an object
// of the local S3 (`s3 <bucket> <key> [parse-only]`: parse-only reads, parses and
// aggregates without writing) or the first <bytes> of a file, repeated (`file <path>
// <bytes>`) — and prints the time, the DynamoDB write requests and its peak memory as JSON.
import { createReadStream, statSync } from 'node:fs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LineSource } from '../../shared/access-log/read-lines.ts';
import { createS3LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import { parseLogStream } from '../../shared/access-log/parse-stream.ts';
import { createLocalClients } from '../../local/clients.ts';
import { localCredentials } from '../../local/local-credentials.ts';
import { LOCAL_REGION } from '../../local/local-stack.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { UsageAggregator } from '../../shared/usage/usage-aggregator.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';

// The generated log is signed by the stack's link API role, as a deployed stack's would be.
const rules = createOfflineAttributionRules([SIGNER_ROLE]);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const [s3Endpoint = '', dynamodbEndpoint = '', table = '', kind, a = '', b = '', mode] =
  process.argv.slice(2);
const { s3, dynamodb } = createLocalClients({
  region: LOCAL_REGION,
  credentials: localCredentials(),
  endpoints: { s3: s3Endpoint, dynamodb: dynamodbEndpoint },
});
const openS3 = createS3LogObjectOpener(s3);
const open = (): Promise<LineSource> =>
  kind === 's3' ? openS3(a, b) : Promise.resolve(fileChunks(a, Number(b)));

async function* fileChunks(path: string, bytes: number): AsyncGenerator<Uint8Array> {
  const size = statSync(path).size;
  for (let left = bytes; left > 0; left -= size) {
    yield* createReadStream(path, { end: Math.min(left, size) - 1, highWaterMark: 1 << 20 });
  }
}
// Counted at the client, as DynamoDB bills them: every write request the metering sends.
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand']);
let writeRequests = 0;
dynamodb.middlewareStack.add(
  (next, context) => (args) => {
    if (WRITES.has(String(context.commandName))) writeRequests++;
    return next(args);
  },
  { step: 'initialize', name: 'countWriteRequests' },
);
const started = performance.now();
let records: number;
if (mode === 'parse-only') {
  const usage = new UsageAggregator(rules);
  for await (const line of parseLogStream(await open())) usage.addLine(line);
  records = usage.records;
} else {
  const store = new DynamoDbUsageStore(DynamoDBDocumentClient.from(dynamodb), table);
  const { summary } = await meterLogObject({
    store,
    logObject: `${a}/${b}`,
    open,
    loadRules: () => Promise.resolve(rules),
    now: () => new Date(),
  });
  records = summary.records;
}
process.stdout.write(
  `${JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    records,
    writeRequests,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
s3.destroy();
dynamodb.destroy();
