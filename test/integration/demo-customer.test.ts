import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApi } from '../../local/api/local-api-server.ts';
import { ensureDemoCustomer, tryItCommands } from '../../local/demo-customer.ts';
import { s3ClientFor, sharedStack, startTestLinkApi } from '../helpers/local-stack.ts';
import { createTestTable } from '../helpers/table.ts';

const BUCKET = 'shared-test-bucket';
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let api: LocalApi;
let dataDir: string;

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  dataDir = mkdtempSync(join(tmpdir(), 'demo-'));
  api = await startTestLinkApi(table.tableName, BUCKET);
});

afterAll(async () => {
  await api?.stop();
  s3?.destroy();
  table?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo customer of npm start', () => {
  it('is created once, and its key is kept for restarts in a file only its owner reads', async () => {
    const options = { documents: table.documents, s3, tableName: table.tableName, bucket: BUCKET };
    const first = await ensureDemoCustomer({ ...options, dataDir });
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^umk_/);
    expect(statSync(join(dataDir, 'demo-api-key')).mode & 0o777).toBe(0o600);
    expect(await ensureDemoCustomer({ ...options, dataDir })).toEqual({
      apiKey: first.apiKey,
      created: false,
    });
    expect(await ensureDemoCustomer(options)).toEqual({ apiKey: undefined, created: false });
  });

  it('comes with commands that work exactly as printed', async () => {
    const { apiKey } = await ensureDemoCustomer({
      documents: table.documents,
      s3,
      tableName: table.tableName,
      bucket: BUCKET,
      dataDir,
    });
    const lines = tryItCommands(api.url, apiKey, '2026-11')
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.slice(2));
    // KEY=…, URL=$(curl … POST /links …), curl -s "$URL": the download itself.
    const script = lines.slice(0, 3).join('\n');
    const { stdout } = await promisify(execFile)('bash', ['-c', `set -e\n${script}`]);
    expect(stdout).toBe('Hello from s3-usage-meter: this download is metered.\n');
  });
});
