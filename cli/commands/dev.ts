import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LocalApi } from '../../local/api/local-api-server.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { startLocalPipeline } from '../../local/start-pipeline.ts';
import { TerminalLogger } from '../../local/terminal-logger.ts';
import { createLocalClients } from '../../local/clients.ts';
import { DEMO_CUSTOMER, ensureDemoCustomer, tryItCommands } from '../../local/demo-customer.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Command, type CommandIo, parseCommandArgs, UsageError } from '../command.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import { findRunningStack, isPortTaken, recordRunningStack } from '../../local/running-stack.ts';

const USAGE = `Usage: usage-meter dev [options]

Runs the local AWS stack in the foreground until Ctrl-C: DynamoDB Local with the table
'${LOCAL_DEFAULTS.table}', the local S3 server with server access logging of '${LOCAL_DEFAULTS.contentBucket}'
delivered to '${LOCAL_DEFAULTS.logBucket}/${LOCAL_DEFAULTS.logPrefix}' and metered into the table as each arrives,
and the link API (POST /links, GET /links/{linkId}, GET /usage) on 127.0.0.1.

Options:
  --api-port <port>        link API port on 127.0.0.1 (default 3000; 0: any free port)
  --s3-port <port>         S3 port on 127.0.0.1 (default 4568; 0: any free port)
  --dynamodb-port <port>   DynamoDB Local port (default 8000; 0: any free port)
  --log-interval <secs>    how often access logs are delivered (default 5)
  --data-dir <dir>         where data persists across restarts (default .data)
  --in-memory              keep nothing: DynamoDB in memory, S3 in a temporary folder`;

export const devCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const options = parseDevOptions(args);
    const running = findRunningStack();
    if (running !== undefined) {
      throw new UsageError(
        `a local stack is already running (pid ${running.pid}, link API ${running.api}): use it, or stop it first`,
      );
    }
    // Every port before anything starts: a clash names the option that moves it.
    for (const [option, port] of [
      ['--api-port', options.apiPort],
      ['--s3-port', options.s3Port],
      ['--dynamodb-port', options.dynamodbPort],
    ] as const) {
      if (port !== 0 && (await isPortTaken(port))) {
        throw new UsageError(
          `port ${port} of 127.0.0.1 is taken: pass ${option} <another port> (0: any free port)`,
        );
      }
    }
    const { apiPort, ...stackOptions } = options;
    const { stack, api, stop } = await startLocalPipeline({
      ...stackOptions,
      contentBucket: LOCAL_DEFAULTS.contentBucket,
      logBucket: LOCAL_DEFAULTS.logBucket,
      logPrefix: LOCAL_DEFAULTS.logPrefix,
      tableName: LOCAL_DEFAULTS.table,
      env: process.env,
      // One short line an event for a person at a terminal; JSON lines for a pipe or a file.
      logger:
        (io.stdout as { isTTY?: boolean }).isTTY === true
          ? new TerminalLogger({ serviceName: 's3-usage-meter' })
          : new Logger({ serviceName: 's3-usage-meter' }),
      apiPort,
      // A progress line for a person at a terminal, never in a pipe.
      ...((io.stderr as { isTTY?: boolean }).isTTY === true
        ? { say: (line: string) => io.stderr.write(line) }
        : {}),
      onNotificationError: (error) =>
        io.stderr.write(
          `metering a log object failed: ${String(error)}\n` +
            '  (run: npx usage-meter reconcile --local)\n',
        ),
    });
    const { s3, dynamodb } = createLocalClients(stack);
    const demo = await ensureDemoCustomer({
      documents: DynamoDBDocumentClient.from(dynamodb),
      s3,
      tableName: LOCAL_DEFAULTS.table,
      bucket: LOCAL_DEFAULTS.contentBucket,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    s3.destroy();
    dynamodb.destroy();
    const forget = recordRunningStack({
      pid: process.pid,
      api: api.url,
      s3: stack.endpoints.s3,
      dynamodb: stack.endpoints.dynamodb,
      table: LOCAL_DEFAULTS.table,
      contentBucket: LOCAL_DEFAULTS.contentBucket,
      logBucket: LOCAL_DEFAULTS.logBucket,
      logPrefix: LOCAL_DEFAULTS.logPrefix,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    printBanner(stack, api, options.dataDir, io);
    io.stdout.write(
      `Demo customer '${DEMO_CUSTOMER}' ${demo.created ? 'created' : 'kept from the last run'}` +
        ` (may download demo/…; uploads go under uploads/demo/).\n` +
        tryItCommands(api.url, demo.apiKey, new Date().toISOString().slice(0, 7)),
    );
    await waitForSignal();
    io.stdout.write('stopping…\n');
    forget();
    await stop();
    io.stdout.write('stopped\n');
    return 0;
  },
};

interface DevOptions {
  apiPort: number;
  s3Port: number;
  dynamodbPort: number;
  logDeliveryIntervalMs: number;
  dataDir?: string;
}

function parseDevOptions(args: string[]): DevOptions {
  const { values } = parseCommandArgs({
    args,
    options: {
      'api-port': { type: 'string', default: String(LOCAL_DEFAULTS.apiPort) },
      's3-port': { type: 'string', default: String(LOCAL_DEFAULTS.s3Port) },
      'dynamodb-port': { type: 'string', default: String(LOCAL_DEFAULTS.dynamodbPort) },
      'log-interval': { type: 'string', default: '5' },
      'data-dir': { type: 'string', default: '.data' },
      'in-memory': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const problems: string[] = [];
  const integer = (
    name: 'api-port' | 's3-port' | 'dynamodb-port' | 'log-interval',
    min: number,
    max: number,
  ): number => {
    const text = values[name];
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
    }
    return value;
  };
  const apiPort = integer('api-port', 0, 65535);
  const s3Port = integer('s3-port', 0, 65535);
  const dynamodbPort = integer('dynamodb-port', 0, 65535);
  const logSeconds = integer('log-interval', 1, 3600);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return {
    apiPort,
    s3Port,
    dynamodbPort,
    logDeliveryIntervalMs: logSeconds * 1000,
    ...(values['in-memory'] ? {} : { dataDir: resolve(values['data-dir']) }),
  };
}

function printBanner(
  stack: LocalStack,
  api: LocalApi,
  dataDir: string | undefined,
  io: CommandIo,
): void {
  io.stdout.write(
    [
      'Local AWS stack ready (Ctrl-C to stop)',
      `  usage page   ${api.url}/  (totals, daily chart, untracked share, latest log objects)`,
      `  link API     ${api.url}  (POST /links, GET /links/{linkId}, GET /usage; customers and keys: usage-meter customers|keys --local)`,
      `  S3           ${stack.endpoints.s3}  (path-style; buckets ${LOCAL_DEFAULTS.contentBucket}, ${LOCAL_DEFAULTS.logBucket})`,
      `  access logs  ${LOCAL_DEFAULTS.contentBucket} → s3://${LOCAL_DEFAULTS.logBucket}/${LOCAL_DEFAULTS.logPrefix}`,
      `  DynamoDB     ${stack.endpoints.dynamodb}  (table ${LOCAL_DEFAULTS.table})`,
      `  region       ${stack.region}; operator access key id ${stack.credentials.accessKeyId} (the pair: .cache/local-credentials.json)`,
      `  data         ${dataDir ?? 'in memory (nothing is kept)'}`,
      '',
    ].join('\n'),
  );
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
