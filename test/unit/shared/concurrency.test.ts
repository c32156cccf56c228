import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../../shared/concurrency.ts';

describe('forEachConcurrently', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++inFlight);
      await sleep(5);
      done.push(n);
      inFlight--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, lets the running ones settle, and rejects with it', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = forEachConcurrently([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('chunk 2 failed');
      await sleep(10);
      settled++;
    });
    await expect(run).rejects.toThrow('chunk 2 failed');
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });

  it('takes items from a stream as it goes, one pull at a time, and stops pulling on a failure', async () => {
    let pulled = 0;
    async function* listing() {
      for (let n = 1; n <= 20; n++) {
        pulled++;
        await sleep(1);
        yield n;
      }
    }
    const seen: number[] = [];
    const run = forEachConcurrently(listing(), 3, async (n) => {
      seen.push(n);
      if (n === 5) throw new Error('object 5 failed');
      await sleep(5);
    });
    await expect(run).rejects.toThrow('object 5 failed');
    expect(new Set(seen).size).toBe(seen.length);
    expect(pulled).toBeLessThan(20);
  });
});
