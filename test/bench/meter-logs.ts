// npm run bench: metering a log object from the local S3 into DynamoDB Local, against only
// reading and parsing it, in the same run; then peak memory for 100 MiB and 1 GiB objects,
// each metered in a fresh process (a 256 MB Lambda must stream, not hold, the object).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../../shared/concurrency.ts';
import { createLocalClients } from '../../local/clients.ts';
import { ensureTable } from '../../local/dynamodb/create-table.ts';
import { startLocalStack } from '../../local/local-stack.ts';
import { ensureBenchLog } from './generate-access-log.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const MiB = 1024 * 1024;
const ROOT = resolve(import.meta.dirname, '..', '..');
const BUCKET = 'bench-logs';
const file = await ensureBenchLog(join(ROOT, '.cache', 'bench', 'access-210mb-v2.log'), 210 * MiB);

/** The length of the first `bytes` of the file, cut back to the end of a line. */
async function wholeLines(bytes: number): Promise<number> {
  const handle = await open(file);
  const tail = Buffer.alloc(64 * 1024);
  await handle.read(tail, 0, tail.length, bytes - tail.length);
  await handle.close();
  return bytes - tail.length + tail.lastIndexOf(10) + 1;
}

// The local S3 keeps objects in files: in memory (tmpfs) where there is one, so that the
// machine's disk speed does not become what is measured.
const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-meter-'));
// DynamoDB Local in memory (a data directory makes every write a SQLite commit); the S3
// server on top of it, keeping its files in dataDir.
const dynamodbStack = await startLocalStack({ buckets: [], dynamodbPort: 0, s3Port: 0 });
const stack = await startLocalStack({
  buckets: [BUCKET],
  s3Port: 0,
  dataDir,
  dynamodbEndpoint: dynamodbStack.endpoints.dynamodb,
});
const { s3, dynamodb } = createLocalClients(stack);
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
  let tables = 0;
  const run = async (source: string[]) => {
    const table = `bench-${++tables}`;
    await ensureTable(dynamodb, table);
    // Not execFileSync: the local S3 serving the child runs in this process.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'meter-object.ts'),
        stack.endpoints.s3,
        stack.endpoints.dynamodb,
        table,
        ...source,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout) as {
      seconds: number;
      records: number;
      writeRequests: number;
      maxRssMiB: number;
    };
  };
  const best = (runs: Array<Awaited<ReturnType<typeof run>>>) =>
    runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const fromS3 = ['s3', BUCKET, key];
  const parse = best([await run([...fromS3, 'parse-only']), await run([...fromS3, 'parse-only'])]);
  const meter = best([await run(fromS3), await run(fromS3)]);
  const mibs = (r: { seconds: number }) => (unit / MiB / r.seconds).toFixed(1);
  console.log(
    `metering a ${(unit / MiB).toFixed(0)} MiB log object (${meter.records} records), best of 2:`,
  );
  console.log(
    `  read + parse + aggregate (baseline)  ${parse.seconds.toFixed(1).padStart(5)} s  ${mibs(parse).padStart(6)} MiB/s`,
  );
  console.log(
    `  … + exactly-once write to DynamoDB   ${meter.seconds.toFixed(1).padStart(5)} s  ${mibs(meter).padStart(6)} MiB/s  = ${(parse.seconds / meter.seconds).toFixed(2)}× baseline speed, ${meter.writeRequests} DynamoDB write requests for the object`,
  );
  // s3rver takes minutes to store a 1 GiB single PUT, so the 1 GiB object streams from the
  // file instead: the same LineSource the S3 body is, read the same way.
  const small = await run(['file', file, String(unit)]);
  const large = await run(['file', file, String(unit * 10)]);

  // What the emulator itself sustains: plain PutItems, 16 at a time, as the access times go.
  await ensureTable(dynamodb, 'bench-raw');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const writes = Array.from({ length: 3000 }, (_, i) => i);
  const rawStarted = performance.now();
  await forEachConcurrently(writes, 16, async (i) => {
    await documents.send(
      new PutCommand({ TableName: 'bench-raw', Item: { PK: `W#${i}`, SK: 'W' } }),
    );
  });
  const rawRate = writes.length / ((performance.now() - rawStarted) / 1000);
  console.log(
    `DynamoDB Local alone: ${rawRate.toFixed(0)} writes/s, so the object's ${meter.writeRequests} write requests take ≥ ${(meter.writeRequests / rawRate).toFixed(1)} s of the ${meter.seconds.toFixed(1)} s here`,
  );
  console.log(
    `peak memory metering into DynamoDB: ${(unit / MiB).toFixed(0)} MiB ${small.maxRssMiB.toFixed(0)} MiB; ${((unit * 10) / MiB).toFixed(0)} MiB ${large.maxRssMiB.toFixed(0)} MiB (ratio ${(large.maxRssMiB / small.maxRssMiB).toFixed(2)}×; flat ≈ 1.0×; ${large.writeRequests} write requests; ${large.seconds.toFixed(0)} s)`,
  );
} finally {
  s3.destroy();
  dynamodb.destroy();
  await stack.stop();
  await dynamodbStack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
