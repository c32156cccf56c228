import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

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
  await run('npx', ['serverless', 'package', '--package', dir, ...options], {
    timeout: 120_000,
  });
  const template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, template };
}
