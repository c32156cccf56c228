import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import { javaChildOf, startDev } from '../helpers/dev-process.ts';

// `npm start` killed with SIGKILL under traffic, then started again on the same data: every
// request the clients made is metered, to the byte. The dev process is started here and
// stopped here (with its Java child), whatever the outcome.

const dataDir = mkdtempSync(join(tmpdir(), 'usage-meter-crash-'));
const runtimeDir = mkdtempSync(join(tmpdir(), 'usage-meter-runtime-'));
const started: ChildProcess[] = [];
const javas: number[] = [];

async function startDevOn(ports: { api: number; s3: number; dynamodb: number }) {
  const dev = await startDev(
    [
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
    { USAGE_METER_RUNTIME_DIR: runtimeDir },
  );
  started.push(dev.process);
  // Known from the start, so that afterAll stops it even if the test fails before the crash.
  const java = javaChildOf(dev.process.pid ?? 0);
  javas.push(java);
  return { ...dev, java };
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
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe('npm start through a crash', () => {
  it('meters every request made before a kill -9 once it starts again', async () => {
    const ports = {
      api: await findFreePort(),
      s3: await findFreePort(),
      dynamodb: await findFreePort(),
    };
    const first = await startDevOn(ports);
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

    first.process.kill('SIGKILL');
    process.kill(first.java, 'SIGKILL');
    await exited(first.process);

    const second = await startDevOn(ports);
    const usage = await fetch(`${api}/usage?period=${new Date().toISOString().slice(0, 7)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(await usage.json()).toMatchObject({
      customerId: 'demo',
      downloadBytes: received,
      downloadRequests: downloads,
    });

    second.process.kill('SIGINT');
    await exited(second.process);
    expect(second.output()).toContain('stopped');
    expect(() => process.kill(second.java, 0)).toThrow();
  }, 180_000);
});
