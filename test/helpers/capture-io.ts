import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../cli/command.ts';

/** Streams for a CLI command whose output the test reads back. */
export function captureIo(input = ''): CommandIo & { out: () => string; err: () => string } {
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  return { stdin, stdout, stderr, out: () => out, err: () => err };
}
