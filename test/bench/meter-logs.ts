// npm run bench: metering a 100 MiB log object from the local S3 into DynamoDB Local,
// against reading and aggregating it alone, and against DynamoDB Local's own rate for the
// same writes, replayed in the same run; the writes it sends against the minimum the data
// model needs; then peak memory for 100 MiB and 1 GiB objects, each metered in a fresh
// process.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { readLines } from '../../shared/access-log/index.ts';
import { forEachConcurrently } from '../../shared/concurrency.ts';
import { createLocalClients } from '../../local/clients.ts';
import { ensureTable } from '../../local/dynamodb/create-table.ts';
import { startLocalStack } from '../../local/local-stack.ts';
import { linkKey } from '../../shared/table/keys.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { UsageAggregator } from '../../shared/usage/usage-aggregator.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { ensureBenchLog } from './generate-access-log.ts';

const { nodeOptions } = createRequire(import.meta.url)(
  '../../scripts/metering-node-options.cjs',
) as { nodeOptions: string };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const MiB = 1024 * 1024;
const ROOT = resolve(import.meta.dirname, '..', '..');
const BUCKET = 'bench-logs';
const file = await ensureBenchLog(
  join(ROOT, '.cache', 'bench', 'presigned-1100mb-v4.log'),
  1100 * MiB,
);

/** The length of the first `bytes` of the file, cut back to the end of a line. */
async function wholeLines(bytes: number): Promise<number> {
  const handle = await open(file);
  const tail = Buffer.alloc(64 * 1024);
  await handle.read(tail, 0, tail.length, bytes - tail.length);
  await handle.close();
  return bytes - tail.length + tail.lastIndexOf(10) + 1;
}

// The child runs as plain JavaScript, so that its memory is the metering's, not a loader's.
const child = join(ROOT, '.cache', 'bench', 'meter-object.mjs');
await build({
  entryPoints: [join(import.meta.dirname, 'meter-object.ts')],
  outfile: child,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

// The local S3 keeps objects in files: in memory (tmpfs) where there is one, so that the
// machine's disk speed does not become what is measured.
const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-meter-'));
const dynamodbStack = await startLocalStack({ buckets: [], dynamodbPort: 0, s3Port: 0 });
const stack = await startLocalStack({
  buckets: [BUCKET],
  s3Port: 0,
  dataDir,
  dynamodbEndpoint: dynamodbStack.endpoints.dynamodb,
});
const { s3, dynamodb } = createLocalClients(stack);
const documents = DynamoDBDocumentClient.from(dynamodb);
try {
  const unit = await wholeLines(100 * MiB);
  const key = 'logs/100mib';
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: createReadStream(file, { end: unit - 1 }),
      ContentLength: unit,
    }),
  );
  // Every link was issued by the link API, as in production: each run gets a table of them.
  const linksOf = async (bytes: number) => {
    const links: Array<{ linkId: string; customerId: string }> = [];
    const usage = new UsageAggregator(createOfflineAttributionRules([SIGNER_ROLE]));
    for await (const line of readLines(createReadStream(file, { end: bytes - 1 }))) usage.add(line);
    for await (const { linkId, customerId } of usage.linkUsage())
      links.push({ linkId, customerId });
    usage.discard();
    return links;
  };
  const links = await linksOf(unit);
  let tables = 0;
  const freshTable = async (issued: typeof links) => {
    const table = `bench-${++tables}`;
    await ensureTable(dynamodb, table);
    await forEachConcurrently(chunked(issued, 25), 8, async (batch) => {
      await documents.send(
        new BatchWriteCommand({
          RequestItems: {
            [table]: batch.map((link) => ({
              PutRequest: { Item: { ...linkKey(link.linkId), type: 'link', ...link } },
            })),
          },
        }),
      );
    });
    return table;
  };
  const run = async (source: string[], tableNames: string) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      // The V8 limits the deployed metering functions run with (serverless.yml).
      [
        ...nodeOptions.split(' '),
        child,
        stack.endpoints.s3,
        stack.endpoints.dynamodb,
        tableNames,
        ...source,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout) as {
      seconds: number;
      writeSeconds: number;
      records: number;
      writeRequests: number;
      writeItems: number;
      minimum?: { requests: number; items: number; writeUnits: number };
      replayRate?: number;
      maxRssMiB: number;
    };
  };
  const best = (runs: Array<Awaited<ReturnType<typeof run>>>) =>
    runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const fromS3 = ['s3', BUCKET, key];
  const parse = best([
    await run([...fromS3, 'parse-only'], await freshTable([])),
    await run([...fromS3, 'parse-only'], await freshTable([])),
  ]);
  const meterOnce = async () =>
    run(fromS3, `${await freshTable(links)},${await freshTable(links)}`);
  const meter = best([await meterOnce(), await meterOnce()]);
  const achieved = meter.writeItems / meter.writeSeconds;
  const mibs = (r: { seconds: number }) => (unit / MiB / r.seconds).toFixed(1);
  console.log(
    `metering a ${(unit / MiB).toFixed(0)} MiB log object (${meter.records.toLocaleString('en')} records, ${links.length.toLocaleString('en')} links, all issued), best of 2:`,
  );
  console.log(
    `  read + aggregate alone          ${parse.seconds.toFixed(1).padStart(5)} s  ${mibs(parse).padStart(6)} MiB/s`,
  );
  console.log(
    `  metered into DynamoDB Local     ${meter.seconds.toFixed(1).padStart(5)} s  ${mibs(meter).padStart(6)} MiB/s, of which writing ${meter.writeSeconds.toFixed(1)} s`,
  );
  console.log(
    `  writes: ${meter.writeRequests} requests, ${meter.writeItems} items; the data model's minimum: ${meter.minimum?.requests} requests, ${meter.minimum?.items} items (${meter.minimum?.writeUnits} write units as DynamoDB bills them)`,
  );
  console.log(
    `  DynamoDB Local's own rate for the same writes (replayed, 8 at a time, nothing else to do): ${meter.replayRate?.toFixed(0)} items/s; the metering wrote ${achieved.toFixed(0)} items/s while writing = ${(achieved / (meter.replayRate ?? Infinity)).toFixed(2)}× (target ≥ 0.90×)`,
  );
  const gib = await wholeLines(1024 * MiB);
  const small = await run(['file', file, String(unit), 'memory'], await freshTable(links));
  const large = await run(
    ['file', file, String(gib), 'memory'],
    await freshTable(await linksOf(gib)),
  );
  console.log(
    `peak memory metering (plain node, into DynamoDB): 100 MiB ${small.maxRssMiB.toFixed(0)} MiB (target ≤ 128); 1 GiB ${large.maxRssMiB.toFixed(0)} MiB (ratio ${(large.maxRssMiB / small.maxRssMiB).toFixed(2)}×; flat ≈ 1.0×; ${large.records.toLocaleString('en')} records in ${large.seconds.toFixed(0)} s)`,
  );
} finally {
  s3.destroy();
  dynamodb.destroy();
  await stack.stop();
  await dynamodbStack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}
