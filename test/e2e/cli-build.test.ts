import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/dev-process.ts';

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
