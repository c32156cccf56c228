import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import type { LineSource } from '../shared/access-log/index.ts';
import { UsageError } from './command.ts';

/** One input of a command: a file, or stdin for `-`. */
export interface Input {
  name: string;
  /** The file's path; undefined for stdin. */
  path?: string;
  /** Its size in bytes; undefined for stdin. */
  size?: number;
  open(): LineSource;
}

/** Checks that every named file is readable (naming all that are not) before any is read. */
export async function resolveInputs(
  paths: string[],
  stdin: NodeJS.ReadableStream,
): Promise<Input[]> {
  if (paths.length === 0) throw new UsageError('name at least one FILE (or - for stdin)');
  const unreadable: string[] = [];
  const inputs: Input[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ name: 'stdin', open: () => stdin as AsyncIterable<Uint8Array> });
      continue;
    }
    const size = await access(path, constants.R_OK).then(
      async () => (await stat(path)).size,
      () => undefined,
    );
    if (size === undefined) unreadable.push(path);
    else inputs.push({ name: path, path, size, open: () => createReadStream(path) });
  }
  if (unreadable.length > 0) throw new UsageError(`cannot read: ${unreadable.join(', ')}`);
  return inputs;
}
