import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessLogDelivery, type PutLogObject } from '../../../local/s3/access-log-delivery.ts';

const targets = new Map([
  ['content', { targetBucket: 'logs', targetPrefix: 'access/' }],
  ['media', { targetBucket: 'logs', targetPrefix: 'media-access/' }],
]);
const now = () => new Date('2026-11-22T09:08:07.654Z');
let spool: string;
beforeEach(() => {
  spool = mkdtempSync(join(tmpdir(), 'access-log-spool-'));
});
afterEach(() => rmSync(spool, { recursive: true, force: true }));
const deliveryTo = (put: PutLogObject) => new AccessLogDelivery(targets, put, now, spool);

describe('AccessLogDelivery', () => {
  it('writes one object per source bucket, named <prefix>YYYY-mm-DD-HH-MM-SS-<UNIQUE>', async () => {
    const written: Array<[string, string, string]> = [];
    const delivery = deliveryTo(async (b, k, body) => void written.push([b, k, body]));
    delivery.add('content', 'line 1');
    delivery.add('media', 'line 2');
    delivery.add('content', 'line 3');
    const keys = await delivery.deliver();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^access\/2026-11-22-09-08-07-[0-9A-F]{16}$/);
    expect(keys[1]).toMatch(/^media-access\/2026-11-22-09-08-07-[0-9A-F]{16}$/);
    expect(written.map(([bucket, , body]) => [bucket, body])).toEqual([
      ['logs', 'line 1\nline 3\n'],
      ['logs', 'line 2\n'],
    ]);
  });

  it('writes nothing when no record is queued', async () => {
    const delivery = deliveryTo(async () => {
      throw new Error('must not be called');
    });
    expect(await delivery.deliver()).toEqual([]);
  });

  it('keeps the records of a failed write and writes them again under the same key', async () => {
    let fail = true;
    const tried: string[] = [];
    const written = new Map<string, string>();
    const delivery = deliveryTo(async (_b, key, body) => {
      tried.push(key);
      if (fail) throw new Error('S3 unavailable');
      written.set(body, key);
    });
    delivery.add('content', 'first');
    await expect(delivery.deliver()).rejects.toThrow(/could not deliver 1 log object/);
    fail = false;
    delivery.add('content', 'second');
    await delivery.deliver();
    expect([...written.keys()].sort()).toEqual(['first\n', 'second\n']);
    expect(written.get('first\n')).toBe(tried[0]);
  });

  it('keeps every record through a crash: the next process on the folder delivers them', async () => {
    const crashed = deliveryTo(async () => {
      throw new Error('killed while writing');
    });
    crashed.add('content', 'sealed before the crash');
    await expect(crashed.deliver()).rejects.toThrow();
    crashed.add('content', 'added after it');
    const written: Array<[string, string]> = [];
    const restarted = deliveryTo(async (_b, key, body) => void written.push([key, body]));
    await restarted.deliver();
    expect(written.map(([, body]) => body).sort()).toEqual([
      'added after it\n',
      'sealed before the crash\n',
    ]);
    expect(await restarted.deliver()).toEqual([]);
  });

  it('runs overlapping deliveries one after another, writing each record once', async () => {
    const bodies: string[] = [];
    const delivery = deliveryTo(async (_b, _k, body) => {
      await new Promise((r) => setTimeout(r, 5));
      bodies.push(body);
    });
    delivery.add('content', 'a');
    const first = delivery.deliver();
    delivery.add('content', 'b');
    const second = delivery.deliver();
    await Promise.all([first, second]);
    expect(bodies.join('')).toBe('a\nb\n');
  });

  it('tells which buckets are logged', () => {
    const delivery = deliveryTo(async () => {});
    expect([delivery.isLogged('content'), delivery.isLogged('logs')]).toEqual([true, false]);
  });
});
