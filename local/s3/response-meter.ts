import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** What a response sent, measured while it is written. */
export interface ResponseMeter {
  /** Body bytes written to the client so far. */
  bytes(): number;
  /** `performance.now()` when the first byte went out. */
  firstByteAt(): number | undefined;
  /** The whole object's size from the headers: a Content-Range total, else Content-Length. */
  objectSize(): number | undefined;
}

/**
 * Counts the body bytes a response writes and when its first byte went out, and reads the
 * object size from its headers (the total of a Content-Range, else the Content-Length).
 * `beforeEnd` runs before the response's last bytes go out: with the write that completes its
 * Content-Length, or else when it ends (it may run twice: it must be idempotent).
 */
export function meterResponse(res: ServerResponse, beforeEnd: () => void): ResponseMeter {
  let bytes = 0;
  let firstByteAt: number | undefined;
  const count = (chunk: unknown, encoding?: unknown) => {
    firstByteAt ??= performance.now();
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.byteLength;
    }
  };
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    count(chunk, rest[0]);
    // A body piped from a file is written, then ended empty: a client that reads up to the
    // Content-Length has its answer with the last write, so that is when the end is near.
    const length = res.getHeader('content-length');
    if (length !== undefined && bytes >= Number(length)) beforeEnd();
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function' && chunk !== undefined && chunk !== null) count(chunk, rest[0]);
    else firstByteAt ??= performance.now();
    beforeEnd();
    return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  return {
    bytes: () => bytes,
    firstByteAt: () => firstByteAt,
    objectSize: (): number | undefined => {
      const range = /\/(\d+)$/.exec(String(res.getHeader('content-range') ?? ''));
      if (range?.[1]) return Number(range[1]);
      const length = res.getHeader('content-length');
      return length === undefined ? undefined : Number(length);
    },
  };
}
