import { describe, expect, it } from 'vitest';
import { AccessLogDelivery } from '../../../local/s3/access-log-delivery.ts';

const targets = new Map([
  ['content', { targetBucket: 'logs', targetPrefix: 'access/' }],
  ['media', { targetBucket: 'logs', targetPrefix: 'media-access/' }],
]);
const now = () => new Date('2026-11-22T09:08:07.654Z');

describe('AccessLogDelivery', () => {
  it('writes one object per source bucket, named <prefix>YYYY-mm-DD-HH-MM-SS-<UNIQUE>', async () => {
    const written: Array<[string, string, string]> = [];
    const delivery = new AccessLogDelivery(
      targets,
      async (b, k, body) => void written.push([b, k, body]),
      now,
    );
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
    const delivery = new AccessLogDelivery(
      targets,
      async () => {
        throw new Error('must not be called');
      },
      now,
    );
    expect(await delivery.deliver()).toEqual([]);
  });

  it('keeps the records of a failed write and delivers them with the next one', async () => {
    let fail = true;
    const bodies: string[] = [];
    const delivery = new AccessLogDelivery(
      targets,
      async (_b, _k, body) => {
        if (fail) throw new Error('S3 unavailable');
        bodies.push(body);
      },
      now,
    );
    delivery.add('content', 'first');
    await expect(delivery.deliver()).rejects.toThrow(/could not deliver 1 log object/);
    fail = false;
    delivery.add('content', 'second');
    await delivery.deliver();
    expect(bodies).toEqual(['first\nsecond\n']);
  });

  it('runs overlapping deliveries one after another, writing each record once', async () => {
    const bodies: string[] = [];
    const delivery = new AccessLogDelivery(
      targets,
      async (_b, _k, body) => {
        await new Promise((r) => setTimeout(r, 5));
        bodies.push(body);
      },
      now,
    );
    delivery.add('content', 'a');
    const first = delivery.deliver();
    delivery.add('content', 'b');
    const second = delivery.deliver();
    await Promise.all([first, second]);
    expect(bodies.join('')).toBe('a\nb\n');
  });

  it('tells which buckets are logged', () => {
    const delivery = new AccessLogDelivery(targets, async () => {}, now);
    expect([delivery.isLogged('content'), delivery.isLogged('logs')]).toEqual([true, false]);
  });
});
