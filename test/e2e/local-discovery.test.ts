import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevProcess, runCli, startDev, THROWAWAY_STACK } from '../helpers/dev-process.ts';

// `--local` reaches the stack `npm start` runs, on whatever ports, and no other; a taken port
// is named before anything starts. Every process started here is stopped here.

const runtimeDir = mkdtempSync(join(tmpdir(), 'usage-meter-runtime-'));
const env = { USAGE_METER_RUNTIME_DIR: runtimeDir };
const devs: DevProcess[] = [];
const month = new Date().toISOString().slice(0, 7);

afterAll(async () => {
  for (const dev of devs) {
    if (dev.process.exitCode === null && dev.process.signalCode === null) {
      dev.process.kill('SIGINT');
      await dev.exited();
    }
  }
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe('--local finds the stack that is running', () => {
  it('reaches npm start on random ports, refuses a second one, and fails clearly once it stopped', async () => {
    const dev = await startDev([...THROWAWAY_STACK], env);
    devs.push(dev);
    const report = await runCli(['report', '--local', '--period', month, '--format', 'json'], env);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.out)).toMatchObject({ period: month, customers: [] });
    expect(report.err).toMatch(
      new RegExp(
        `^local stack of npm start \\(pid ${dev.process.pid}\\): DynamoDB http://127\\.0\\.0\\.1:\\d+, S3 http://127\\.0\\.0\\.1:\\d+\\n`,
      ),
    );

    // The log bucket and its signers come with --local: no --log-bucket, no --signer.
    const reconciled = await runCli(['reconcile', '--local', '--json'], env);
    expect(reconciled.err).not.toContain('which log bucket');
    expect(JSON.parse(reconciled.out)).toMatchObject({ failed: 0, changed: 0 });

    await expect(
      startDev(['--in-memory', '--api-port', '0', '--s3-port', '0'], env),
    ).rejects.toThrow(`a local stack is already running (pid ${dev.process.pid}`);

    dev.process.kill('SIGINT');
    await dev.exited();
    const after = await runCli(['report', '--local', '--period', month], env);
    expect(after.code).toBe(2);
    expect(after.err).toContain('no local stack is running: start one with npm start');
  }, 180_000);

  it('names the option of a port that is taken, before starting anything', async () => {
    const taken: Server = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const { port } = taken.address() as { port: number };
    try {
      const result = await runCli(
        [
          'dev',
          '--in-memory',
          '--api-port',
          '0',
          '--dynamodb-port',
          '0',
          '--s3-port',
          String(port),
        ],
        env,
      );
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        `port ${port} of 127.0.0.1 is taken: pass --s3-port <another port> (0: any free port)`,
      );
    } finally {
      await new Promise<void>((closed) => taken.close(() => closed()));
    }
  }, 60_000);
});
