import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { LineSource } from '../shared/access-log/index.ts';
import { UsageError } from './command.ts';

/** One input of a command: a file, or stdin for `-`. */
export interface Input {
  name: string;
  open(): LineSource;
}

/** Checks that every named file is readable (naming all that are not) before any is read. */
export async function resolveInputs(
  paths: string[],
  stdin: NodeJS.ReadableStream,
): Promise<Input[]> {
  if (paths.length === 0) throw new UsageError('name at least one FILE (or - for stdin)');
  const unreadable: string[] = [];
  for (const path of paths) {
    if (path !== '-') await access(path).catch(() => unreadable.push(path));
  }
  if (unreadable.length > 0) throw new UsageError(`cannot read: ${unreadable.join(', ')}`);
  return paths.map((path) => ({
    name: path === '-' ? 'stdin' : path,
    open: () => (path === '-' ? (stdin as AsyncIterable<Uint8Array>) : createReadStream(path)),
  }));
}
