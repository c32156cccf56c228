import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The git-ignored folder of this checkout where the local stack keeps what it makes once. */
export const DEFAULT_CACHE_DIR = join(checkoutRoot(import.meta.dirname), '.cache');

/** The nearest folder up with a package.json: the CLI runs from source and from its build. */
function checkoutRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The operator's key pair of this checkout's local stack: random, made on first use and
 * kept (owner-readable only) in `<cacheDir>/local-credentials.json`. DynamoDB Local cannot be
 * bound to 127.0.0.1 alone, so its tables are kept per access key (no `-sharedDb`): whoever
 * reaches its port from elsewhere without this key finds an empty database.
 */
export function localCredentials(): LocalCredentials {
  const cacheDir = DEFAULT_CACHE_DIR;
  const path = join(cacheDir, 'local-credentials.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalCredentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(cacheDir, { recursive: true });
  const credentials: LocalCredentials = {
    accessKeyId: `LOCAL${randomBytes(10).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  // Written aside, then linked into place: a process starting at the same moment either
  // finds the whole file or makes its own and keeps the one that won.
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(staging, JSON.stringify(credentials), { mode: 0o600 });
  try {
    linkSync(staging, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(staging, { force: true });
  }
  return JSON.parse(readFileSync(path, 'utf8')) as LocalCredentials;
}
