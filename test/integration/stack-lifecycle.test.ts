import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkJava } from '../../local/dynamodb/dynamodb-local.ts';
import { startLocalStack } from '../../local/local-stack.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('the local stack lifecycle', () => {
  it('starts DynamoDB Local and S3 on 127.0.0.1 and stop() leaves no process and no open port', async () => {
    const stack = await startLocalStack();
    const pid = stack.dynamodbPid ?? -1;
    expect(isAlive(pid)).toBe(true);
    expect(new URL(stack.endpoints.s3).hostname).toBe('127.0.0.1');
    expect(new URL(stack.endpoints.dynamodb).hostname).toBe('127.0.0.1');
    expect(await accepts(stack.endpoints.s3)).toBe(true);
    expect(await accepts(stack.endpoints.dynamodb)).toBe(true);

    await stack.stop();

    expect(isAlive(pid)).toBe(false);
    expect(await accepts(stack.endpoints.s3)).toBe(false);
    expect(await accepts(stack.endpoints.dynamodb)).toBe(false);
  });

  it('takes DynamoDB Local down with it when the process that started it crashes', async () => {
    // The crashed stack cannot remove its files: they go where this test removes them.
    const dataDir = await mkdtemp(join(tmpdir(), 'crashed-stack-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '../helpers/start-stack-then-crash.ts'),
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(stderr).toContain('crash on purpose');
    expect(exitCode).toBe(1);
    const started = JSON.parse(stdout.trim()) as { pid: number; endpoints: { dynamodb: string } };
    expect(started.pid).toBeGreaterThan(0);
    expect(await eventually(() => !isAlive(started.pid))).toBe(true);
    expect(await accepts(started.endpoints.dynamodb)).toBe(false);
  });

  it('says which Java to install when there is none', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'no-java-'));
    const path = process.env.PATH;
    process.env.PATH = emptyPath;
    try {
      await expect(checkJava()).rejects.toThrow(
        /needs Java 17 or newer.*apt-get install openjdk-17-jre-headless/,
      );
    } finally {
      process.env.PATH = path;
      await rm(emptyPath, { recursive: true });
    }
  });
});
