import { execFileSync } from 'node:child_process';

/**
 * Debian's Chromium for the browser tests (driven by playwright-core, which downloads no
 * browser): found on the PATH, else installed with apt-get when the tests run as root, else
 * a reason to skip them that says how to get it.
 */
export function findChromium(): { path: string } | { skip: string } {
  const found = which('chromium');
  if (found !== undefined) return { path: found };
  if (process.getuid?.() !== 0 || which('apt-get') === undefined) {
    return { skip: 'no chromium on the PATH: install it (Debian: apt-get install chromium)' };
  }
  try {
    const quiet = { stdio: 'ignore', timeout: 480_000 } as const;
    execFileSync('apt-get', ['update', '-qq'], quiet);
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      ...quiet,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    return { skip: `apt-get install chromium failed: ${(error as Error).message}` };
  }
  const installed = which('chromium');
  return installed === undefined ? { skip: 'apt-get installed no chromium' } : { path: installed };
}

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
