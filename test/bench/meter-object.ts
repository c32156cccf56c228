// Child process of the metering benchmark, bundled by it (plain node, no TypeScript loader:
// its memory is the metering's): meters one log into DynamoDB Local — an object of the local
// S3 (`s3 <bucket> <key> [parse-only]`: parse-only reads and aggregates without writing) or
// the first <bytes> of a file (`file <path> <bytes> memory`: only its memory matters) — and
// prints as JSON its time, the write requests and items it sent, when its writes began, the
// minimum the data model needs, and its peak memory.
import { appendFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../../shared/concurrency.ts';
import { type LineSource, readLines } from '../../shared/access-log/read-lines.ts';
import { createS3LogObjectOpener } from '../../shared/access-log/log-object-reader.ts';
import { createLocalClients } from '../../local/clients.ts';
import { localCredentials } from '../../local/local-credentials.ts';
import { LOCAL_REGION } from '../../local/local-stack.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { UsageAggregator } from '../../shared/usage/usage-aggregator.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { minimumWrites } from './minimum-writes.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';

// The generated log is signed by the stack's link API role, as a deployed stack's would be.
const rules = createOfflineAttributionRules([SIGNER_ROLE]);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const [s3Endpoint = '', dynamodbEndpoint = '', tables = '', kind, a = '', b = '', mode] =
  process.argv.slice(2);
// `<table>,<replay table>`: the metering's writes are replayed into the second one.
const [table = '', replayTable] = tables.split(',');
const { s3, dynamodb } = createLocalClients({
  region: LOCAL_REGION,
  credentials: localCredentials(),
  endpoints: { s3: s3Endpoint, dynamodb: dynamodbEndpoint },
});
const openS3 = createS3LogObjectOpener(s3);
const open = (): Promise<LineSource> =>
  kind === 's3'
    ? openS3(a, b)
    : Promise.resolve(createReadStream(a, { end: Number(b) - 1, highWaterMark: 1 << 20 }));

// Counted at the client, as DynamoDB bills them: every write request the metering sends,
// and every item those requests write (a transaction writes each of its actions).
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand']);
let writeRequests = 0;
let writeItems = 0;
let firstWrite: number | undefined;
// The requests to replay, kept on disk: in memory they would be the biggest thing here.
const sent =
  replayTable === undefined
    ? undefined
    : join(mkdtempSync(join(tmpdir(), 'replay-')), 'sent.jsonl');
dynamodb.middlewareStack.add(
  (next, context) => (args) => {
    const command = String(context.commandName);
    if (!WRITES.has(command)) return next(args);
    firstWrite ??= performance.now();
    writeRequests++;
    const input = args.input as { TransactItems?: unknown[] };
    writeItems += input.TransactItems?.length ?? 1;
    if (sent !== undefined) appendFileSync(sent, `${JSON.stringify({ command, input })}\n`);
    return next(args);
  },
  { step: 'initialize', name: 'countWrites' },
);
const started = performance.now();
let records = 0;
let minimum: Awaited<ReturnType<typeof minimumWrites>> | undefined;
if (mode !== 'memory') {
  // What the object needs at least, from an aggregation of its own (not timed).
  const usage = new UsageAggregator(rules);
  for await (const line of readLines(await open())) usage.add(line);
  minimum = await minimumWrites(usage);
  records = usage.records;
  usage.discard();
}
const metered = performance.now();
if (mode !== 'parse-only') {
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
const ended = performance.now();
const replayRate = replayTable === undefined ? undefined : await replay(replayTable);
process.stdout.write(
  `${JSON.stringify({
    seconds: (ended - (mode === 'parse-only' ? started : metered)) / 1000,
    writeSeconds: firstWrite === undefined ? 0 : (ended - firstWrite) / 1000,
    records,
    writeRequests,
    writeItems,
    minimum,
    replayRate,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
s3.destroy();
dynamodb.destroy();

/**
 * DynamoDB Local's own rate for exactly this work: the same write requests, sent again into
 * a table like the first (same links), 8 at a time, with nothing else to do: items/s.
 */
async function replay(into: string): Promise<number> {
  const file = sent as string;
  async function* requests() {
    for await (const line of readLines(createReadStream(file))) {
      if (!('text' in line)) continue;
      const retargeted = line.text.replaceAll(`"TableName":"${table}"`, `"TableName":"${into}"`);
      yield JSON.parse(retargeted) as { command: string; input: Record<string, unknown> };
    }
  }
  // Sent as the metering sent them: through the document client, on a client of its own.
  const client = DynamoDBDocumentClient.from(
    createLocalClients({
      region: LOCAL_REGION,
      credentials: localCredentials(),
      endpoints: { s3: s3Endpoint, dynamodb: dynamodbEndpoint },
    }).dynamodb,
  );
  const started = performance.now();
  await forEachConcurrently(requests(), 8, async ({ command, input }) => {
    if (command === 'TransactWriteItemsCommand') {
      await client.send(new TransactWriteCommand(input as unknown as TransactWriteCommandInput));
    } else if (command === 'PutItemCommand') {
      await client.send(new PutCommand(input as unknown as PutCommandInput));
    } else {
      await client.send(new UpdateCommand(input as unknown as UpdateCommandInput));
    }
  });
  const seconds = (performance.now() - started) / 1000;
  rmSync(dirname(file), { recursive: true, force: true });
  client.destroy();
  return writeItems / seconds;
}
