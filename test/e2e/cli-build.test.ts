import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { runCli } from '../helpers/dev-process.ts';
import { makeRecord, presignedUri } from '../helpers/records.ts';

// The CLI runs from JavaScript built from its TypeScript, and rebuilds itself when a source
// changes, so what runs is always what the sources say.

const ROOT = resolve(import.meta.dirname, '..', '..');
const MANIFEST = join(ROOT, '.cache', 'cli', 'build.json');

interface Manifest {
  dir: string;
  inputs: Record<string, number>;
}
const manifest = (): Manifest => JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;

it('runs from a build of every source it loads, and rebuilds when one changes', async () => {
  expect((await runCli(['--help'])).code).toBe(0);
  const before = manifest();
  expect(Object.keys(before.inputs)).toEqual(
    expect.arrayContaining([
      'cli/main.ts',
      'cli/commands/report.ts',
      'shared/usage/dynamodb-usage-store.ts',
    ]),
  );
  expect(existsSync(join(ROOT, '.cache', 'cli', before.dir, 'main.js'))).toBe(true);

  // Same content, new modification time: what an editor's save does.
  const source = join(ROOT, 'cli', 'did-you-mean.ts');
  const touched = new Date(Math.floor(statSync(source).mtimeMs) + 1000);
  utimesSync(source, touched, touched);
  const help = await runCli(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('Usage: usage-meter <command> [options]');
  const after = manifest();
  expect(after.dir).not.toBe(before.dir);
  expect(after.inputs['cli/did-you-mean.ts']).toBe(statSync(source).mtimeMs);
}, 60_000);

it("starts aggregate's threads from the build, and they count what one thread counts", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-meter-threads-'));
  try {
    const log = join(dir, 'access.log');
    const lines = Array.from({ length: 1000 }, (_, i) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `BUILT${String(i).padStart(11, '0')}`,
          key: `k${'x'.repeat(i % 4)}`,
          bytesSent: i,
          requestUri: presignedUri('GET', '/usage-meter-content/a.bin', i % 2 ? 'acme' : 'globex'),
        }),
      ),
    );
    writeFileSync(log, `${lines.join('\n')}\n${lines[7]}\nnot a record\n`);
    const one = await runCli(['aggregate', '--json', '--threads', '1', log]);
    const two = await runCli(['aggregate', '--json', '--threads', '2', log]);
    expect(two.code, two.err).toBe(0);
    expect(JSON.parse(two.out)).toEqual(JSON.parse(one.out));
    expect(JSON.parse(two.out)).toMatchObject({
      customers: {
        acme: { downloadBytes: 250_000, downloadRequests: 500 },
        globex: { downloadBytes: 249_500, downloadRequests: 500 },
      },
      records: 1000,
      duplicateRecords: 1,
      rejectedLines: 1,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
