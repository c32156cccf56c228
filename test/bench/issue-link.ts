// npm run bench: the link API's cost. Signing a tracked link against the SDK's bare
// getSignedUrl; links per second through the whole handler (API key check, HeadObject,
// registry write in DynamoDB Local) against signing alone; the packaged function's size and
// module-load time against a bundle of only the S3 client, all measured in this run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { build } from 'esbuild';
import { createIssueLinkHandler } from '../../functions/issue-link/issue-link.ts';
import { createIssueLinkDeps } from '../../functions/issue-link/issue-link-deps.ts';
import { createLocalClients } from '../../local/clients.ts';
import { ensureTable } from '../../local/dynamodb/create-table.ts';
import { startLocalStack } from '../../local/local-stack.ts';
import { generateApiKey } from '../../shared/customers/api-key.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { createLinkSigner } from '../../shared/links/link-signer.ts';
import { apiEvent } from '../helpers/api-events.ts';

// The SDK warns that its 2027 releases need Node 22; the versions are pinned and Lambda runs 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = resolve(import.meta.dirname, '..', '..');
const BUCKET = 'bench-content';
const KEY = 'reports/annual.pdf';

/** Best of three rounds of `count` calls, in calls per second. */
async function rate(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) await call(i);
    best = Math.max(best, count / ((performance.now() - started) / 1000));
  }
  return best;
}

const stack = await startLocalStack({ buckets: [BUCKET], dynamodbPort: 0, s3Port: 0 });
try {
  const { s3, dynamodb } = createLocalClients(stack);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  await ensureTable(dynamodb, 'bench');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'x' }));
  const store = new DynamoDbCustomerStore(documents, 'bench');
  await store.createCustomer(
    validateNewCustomer({ customerId: 'acme', keyPrefixes: ['reports/'] }),
    new Date(),
  );
  const key = generateApiKey();
  await store.addApiKey('acme', key, new Date());

  const signer = createLinkSigner(s3);
  const bare = await rate(2000, () =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), { expiresIn: 900 }),
  );
  const tracked = await rate(2000, (i) =>
    signer.signGet({
      bucket: BUCKET,
      key: KEY,
      customerId: 'acme',
      linkId: `L${i}`,
      expiresIn: 900,
    }),
  );
  const handler = createIssueLinkHandler(
    createIssueLinkDeps({
      config: {
        tableName: 'bench',
        contentBucket: BUCKET,
        defaultExpiresIn: 900,
        maxExpiresIn: 3600,
        linkRetentionDays: 90,
        linksPerMinute: 1000,
        settleWindowHours: 48,
      },
      s3,
      documents,
      logger: new Logger({ logLevel: 'SILENT' }),
    }),
  );
  const event = apiEvent({
    routeKey: 'POST /links',
    body: { key: KEY, method: 'GET' },
    apiKey: key.apiKey,
  });
  const viaHandler = await rate(300, async () => {
    const response = await handler(event);
    if (response.statusCode !== 201) throw new Error(`handler answered ${response.statusCode}`);
  });

  // The storage round trips the handler makes, without the handler: its floor here.
  const storageOnly = await rate(300, async (i) => {
    const get = (PK: string, SK: string) =>
      documents.send(new GetCommand({ TableName: 'bench', Key: { PK, SK } }));
    await get(`APIKEY#${key.keyHash}`, 'APIKEY');
    await get('CUSTOMER#acme', 'PROFILE');
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));
    await documents.send(
      new PutCommand({ TableName: 'bench', Item: { PK: `BENCH#${i}`, SK: 'LINK', n: i } }),
    );
  });

  console.log('signing a GET link (same run, best of 3):');
  console.log(`  bare getSignedUrl             ${bare.toFixed(0).padStart(7)} /s`);
  console.log(
    `  tracked (x-customer-id, link) ${tracked.toFixed(0).padStart(7)} /s  = ${(tracked / bare).toFixed(2)}× bare`,
  );
  console.log(
    'whole handler, one request at a time (2 GetItem, HeadObject, PutItem on the local stack):',
  );
  console.log(`  its 4 storage calls alone     ${storageOnly.toFixed(0).padStart(7)} /s`);
  console.log(
    `  POST /links                   ${viaHandler.toFixed(0).padStart(7)} /s  = ${(viaHandler / storageOnly).toFixed(2)}× its storage calls, ${(viaHandler / tracked).toFixed(3)}× signing alone`,
  );
  s3.destroy();
  dynamodb.destroy();
} finally {
  await stack.stop();
}

// The bundle: what `sls package` ships, against a bundle of the bare S3 client and presigner.
const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
try {
  execFileSync('npx', ['serverless', 'package', '--package', dir], { cwd: ROOT, stdio: 'ignore' });
  execFileSync('python3', ['-m', 'zipfile', '-e', join(dir, 'issueLink.zip'), dir]);
  const ours = join(dir, 'functions/issue-link/handler.mjs');
  const baselineEntry = join(dir, 'baseline.ts');
  writeFileSync(
    baselineEntry,
    `import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const s3 = new S3Client({});
export const handler = () => getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }));`,
  );
  const baseline = join(dir, 'baseline.mjs');
  await build({
    entryPoints: [baselineEntry],
    outfile: baseline,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    nodePaths: [join(ROOT, 'node_modules')],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const loadMs = (file: string) => {
    const times = Array.from({ length: 7 }, () =>
      Number(
        execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`,
          ],
          {
            env: { ...process.env, TABLE_NAME: 't', CONTENT_BUCKET: 'b', AWS_REGION: 'us-east-1' },
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        ).toString(),
      ),
    ).sort((a, b) => a - b);
    return times[3] ?? 0;
  };
  const kib = (file: string) => statSync(file).size / 1024;
  const [oursMs, baseMs] = [loadMs(ours), loadMs(baseline)];
  console.log('packaged issue-link function (minified ESM, median of 7 cold imports):');
  console.log(
    `  bare S3 client + presigner  ${kib(baseline).toFixed(0).padStart(5)} KiB  ${baseMs.toFixed(0).padStart(4)} ms`,
  );
  console.log(
    `  issue-link handler          ${kib(ours).toFixed(0).padStart(5)} KiB  ${oursMs.toFixed(0).padStart(4)} ms  = ${(kib(ours) / kib(baseline)).toFixed(2)}× size, ${(oursMs / baseMs).toFixed(2)}× load`,
  );
  console.log(
    `  zip uploaded by sls deploy  ${kib(join(dir, 'issueLink.zip')).toFixed(0).padStart(5)} KiB (with the source map)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
