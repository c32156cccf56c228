import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';

// `npm start` killed with SIGKILL under traffic, then started again on the same data: every
// request the clients made is metered, to the byte. The dev process is started here and
// stopped here (with its Java child), whatever the outcome.

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'usage-meter.js');
const dataDir = mkdtempSync(join(tmpdir(), 'usage-meter-crash-'));
const started: ChildProcess[] = [];
const javas: number[] = [];

interface Dev {
  process: ChildProcess;
  output: () => string;
}

/** Starts `usage-meter dev` on these ports and resolves once it has printed its banner and demo key. */
async function startDev(ports: { api: number; s3: number; dynamodb: number }): Promise<Dev> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'dev',
      '--data-dir',
      dataDir,
      '--api-port',
      String(ports.api),
      '--s3-port',
      String(ports.s3),
      '--dynamodb-port',
      String(ports.dynamodb),
      // Nothing is delivered on its own before the crash: every record waits in the spool.
      '--log-interval',
      '3600',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' } },
  );
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`dev did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', () => {
      if (output.includes('Demo customer')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => fail(new Error(`dev exited with ${code}:\n${output}`)));
  });
  return { process: child, output: () => output };
}

/** The pid of the Java process (DynamoDB Local) a dev process started. */
function javaChildOf(pid: number): number {
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

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((done) => child.once('exit', () => done()));

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  for (const pid of javas) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start through a crash', () => {
  it('meters every request made before a kill -9 once it starts again', async () => {
    const ports = {
      api: await findFreePort(),
      s3: await findFreePort(),
      dynamodb: await findFreePort(),
    };
    const first = await startDev(ports);
    const apiKey = /KEY=(umk_\S+)/.exec(first.output())?.[1] ?? '';
    expect(apiKey).toMatch(/^umk_/);
    const api = `http://127.0.0.1:${ports.api}`;

    let received = 0;
    const downloads = 12;
    for (let i = 0; i < downloads; i++) {
      const issued = await fetch(`${api}/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ key: 'demo/hello.txt', method: 'GET' }),
      });
      const { url } = (await issued.json()) as { url: string };
      const range = i % 3 === 0 ? { headers: { range: 'bytes=0-9' } } : {};
      received += (await (await fetch(url, range)).arrayBuffer()).byteLength;
    }

    const pid = first.process.pid ?? 0;
    const java = javaChildOf(pid);
    javas.push(java);
    first.process.kill('SIGKILL');
    process.kill(java, 'SIGKILL');
    await exited(first.process);

    const second = await startDev(ports);
    const usage = await fetch(`${api}/usage?period=${new Date().toISOString().slice(0, 7)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(await usage.json()).toMatchObject({
      customerId: 'demo',
      downloadBytes: received,
      downloadRequests: downloads,
    });

    const secondJava = javaChildOf(second.process.pid ?? 0);
    javas.push(secondJava);
    second.process.kill('SIGINT');
    await exited(second.process);
    expect(second.output()).toContain('stopped');
    expect(() => process.kill(secondJava, 0)).toThrow();
  }, 180_000);
});
