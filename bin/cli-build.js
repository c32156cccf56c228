// The CLI's JavaScript, built from its TypeScript by esbuild into the git-ignored
// .cache/cli: once by `npm install` (the `prepare` script), and again by the CLI itself
// whenever a source file has changed since, so there is never a build command to remember.
// Starting from a build takes a tenth of the time of compiling the TypeScript on each run.
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const BUILDS = join(ROOT, '.cache', 'cli');
const MANIFEST = join(BUILDS, 'build.json');
// The CLI, and the threads `aggregate` starts (loaded by path, beside the CLI's own chunks).
const ENTRIES = ['cli/main.ts', 'cli/aggregate-thread.ts'];
// A build other processes may still be running from is kept this long after it is replaced.
const OLD_BUILD_GRACE_MS = 24 * 60 * 60 * 1000;

/** The entry module of a build whose sources are unchanged, or undefined. */
export function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  for (const [file, mtimeMs] of Object.entries(manifest.inputs)) {
    try {
      if (statSync(join(ROOT, file)).mtimeMs !== mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  const entry = join(BUILDS, manifest.dir, 'main.js');
  return existsSync(entry) ? entry : undefined;
}

/**
 * Builds into a folder of its own, then swaps the manifest in with a rename: CLIs started
 * at the same time each see a whole build, never a half-written one.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const dir = `build-${Date.now()}-${process.pid}`;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: join(BUILDS, dir),
    bundle: true,
    // Each command stays its own chunk, loaded only when it runs.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    inputs[file] = (await stat(join(ROOT, file))).mtimeMs;
  }
  const staging = `${MANIFEST}.${process.pid}`;
  await writeFile(staging, JSON.stringify({ dir, inputs }));
  await rename(staging, MANIFEST);
  await removeOldBuilds(dir);
  return join(BUILDS, dir, 'main.js');
}

async function removeOldBuilds(current) {
  for (const entry of await readdir(BUILDS, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const path = join(BUILDS, entry.name);
    if (Date.now() - (await stat(path)).mtimeMs > OLD_BUILD_GRACE_MS) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildCli();
  } catch (error) {
    // Not fatal: the CLI then runs from its TypeScript and reports the error itself.
    console.warn(`usage-meter: the CLI was not built (${error.message}); it will run from source`);
  }
}
