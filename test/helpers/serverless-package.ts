import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** serverless-esbuild builds in the project's `.esbuild/`: one package at a time. */
const LOCK = join(process.cwd(), '.esbuild', 'package.lock');
const STALE_LOCK_MS = 5 * 60_000;

/** A CloudFormation template, as far as the tests read it. */
export interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  Properties: Record<string, unknown>;
}

/**
 * What `sls deploy` would upload: runs `serverless package` offline (no credentials, no
 * network) into a new directory, with the given options (`--stage prod`, `--param …`).
 */
export async function packageStack(
  options: string[] = [],
): Promise<{ dir: string; template: Template }> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-package-'));
  await exclusively(() =>
    run('npx', ['serverless', 'package', '--package', dir, ...options], { timeout: 120_000 }),
  );
  const template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, template };
}

/** Runs `task` while holding the package lock, which test files in other workers wait for. */
async function exclusively<T>(task: () => Promise<T>): Promise<T> {
  mkdirSync(join(LOCK, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed run would otherwise stop every later one.
      if (Date.now() - lockedSince() > STALE_LOCK_MS)
        rmSync(LOCK, { force: true, recursive: true });
      await sleep(250);
    }
  }
  try {
    return await task();
  } finally {
    rmSync(LOCK, { force: true, recursive: true });
  }
}

function lockedSince(): number {
  try {
    return statSync(LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}
