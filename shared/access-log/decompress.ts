import { closeSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LineSource } from './read-lines.ts';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * The source's bytes, gunzipped when they are gzip: told by the magic bytes, not by a
 * name, since a log object copied and compressed by hand keeps its key. Text passes as is.
 */
export async function* decompressIfGzip(source: LineSource): AsyncGenerator<Uint8Array | string> {
  const iterator = (
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  ) as AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string>;
  const first = await iterator.next();
  if (first.done === true) return;
  const rest = { [Symbol.asyncIterator]: () => iterator } as AsyncIterable<Uint8Array | string>;
  const head = first.value;
  if (typeof head === 'string' || !startsWithGzipMagic(head)) {
    yield head;
    yield* rest;
    return;
  }
  async function* compressed() {
    yield head;
    yield* rest;
  }
  yield* Readable.from(compressed()).pipe(createGunzip()) as AsyncIterable<Uint8Array>;
}

/** Whether the file at `path` starts with gzip's magic bytes. */
export function isGzipFile(path: string): boolean {
  const head = Buffer.alloc(2);
  const file = openSync(path, 'r');
  try {
    return readSync(file, head) === 2 && startsWithGzipMagic(head);
  } finally {
    closeSync(file);
  }
}

function startsWithGzipMagic(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}
