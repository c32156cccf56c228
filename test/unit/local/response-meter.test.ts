import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterResponse } from '../../../local/s3/response-meter.ts';

// What the response had sent when `beforeEnd` ran, and whether the client could have read the
// whole body by then: the local S3 logs a request there, so it must come before the last byte.
const seen: Array<{ handedOver: number; counted: number; objectSize: number | undefined }> = [];
const body = Buffer.alloc(53, 'x');

const server = createServer((req, res: ServerResponse) => {
  // The bytes handed to the socket so far, below the meter.
  let handedOver = 0;
  const write = res.write.bind(res);
  res.write = ((chunk: Buffer, ...rest: unknown[]) => {
    handedOver += chunk.length;
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  let logged = false;
  const meter = meterResponse(res, () => {
    if (logged) return;
    logged = true;
    seen.push({ handedOver, counted: meter.bytes(), objectSize: meter.objectSize() });
  });
  res.setHeader('content-length', body.length);
  if (req.url === '/piped') {
    // As koa sends a file: written chunk by chunk, then ended with no data.
    Readable.from([body.subarray(0, 20), body.subarray(20)]).pipe(res);
  } else {
    res.end(body);
  }
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(() => {
  server.close();
});

describe('meterResponse', () => {
  it.each(['piped', 'ended'])(
    'runs beforeEnd once, every byte counted, before the client has the whole body (%s)',
    async (path) => {
      seen.length = 0;
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/${path}`);
      const received = Buffer.from(await response.arrayBuffer());
      expect(received.length).toBe(53);
      // Once, counting all 53 bytes, before the bytes that complete the body were handed over.
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ counted: 53, objectSize: 53 });
      expect(seen[0]?.handedOver).toBeLessThan(53);
    },
  );
});
