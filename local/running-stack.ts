import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_CACHE_DIR } from './local-credentials.ts';

/** What `npm start` is running, so that `--local` reaches that stack and no other. */
export interface RunningStack {
  pid: number;
  api: string;
  s3: string;
  dynamodb: string;
  table: string;
  contentBucket: string;
  logBucket: string;
  logPrefix: string;
  /** Where its data persists; absent in memory. */
  dataDir?: string;
}

/**
 * The file the running stack is recorded in: one per checkout (in its git-ignored cache),
 * or under `USAGE_METER_RUNTIME_DIR` when set (the tests run stacks of their own).
 */
function recordFile(env: NodeJS.ProcessEnv): string {
  return join(env.USAGE_METER_RUNTIME_DIR ?? DEFAULT_CACHE_DIR, 'running-stack.json');
}

/** Records the stack; the returned function removes the record (at a clean exit). */
export function recordRunningStack(stack: RunningStack, env = process.env): () => void {
  const file = recordFile(env);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(stack, null, 2));
  renameSync(`${file}.${process.pid}`, file);
  return () => {
    if (findRunningStack(env)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/**
 * The stack `npm start` is running, or undefined. A record whose process is gone (killed
 * with SIGKILL, say) is stale and is removed.
 */
export function findRunningStack(env = process.env): RunningStack | undefined {
  const file = recordFile(env);
  let stack: RunningStack;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as RunningStack;
  } catch {
    return undefined;
  }
  try {
    process.kill(stack.pid, 0);
    return stack;
  } catch {
    rmSync(file, { force: true });
    return undefined;
  }
}

/** Whether something listens on this port of 127.0.0.1 (or it cannot be bound there). */
export function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
