import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'usage-meter.js');

/** `dev`'s arguments for a throwaway stack: nothing kept, every port free (0). */
export const THROWAWAY_STACK = [
  '--in-memory',
  '--api-port',
  '0',
  '--s3-port',
  '0',
  '--dynamodb-port',
  '0',
] as const;

/** A `usage-meter dev` process a test started, and what it printed so far. */
export interface DevProcess {
  process: ChildProcess;
  output: () => string;
  exited: () => Promise<number | null>;
}

/**
 * Starts `usage-meter dev` with these arguments and resolves once it has printed its banner
 * and demo key (rejects with its output if it exits first). The caller stops it.
 */
export async function startDev(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DevProcess> {
  const child = spawn(process.execPath, [BIN, 'dev', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`dev did not start:\n${output}`));
    }, 90_000);
    child.stdout?.on('data', () => {
      if (output.includes('Demo customer')) {
        clearTimeout(timer);
        ready();
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      fail(new Error(`dev exited with ${code}:\n${output}`));
    });
  });
  return { process: child, output: () => output, exited: () => exit };
}

/** Runs `usage-meter <args>` as a process of its own: its exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => done({ code, out, err }));
  });
}

/** The pid of the Java process (DynamoDB Local) a dev process started. */
export function javaChildOf(pid: number): number {
  const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], {
    encoding: 'utf8',
  });
  const java = children
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find(([, command]) => command === 'java');
  if (java?.[0] === undefined) throw new Error(`no java child of ${pid}: ${children}`);
  return Number(java[0]);
}
