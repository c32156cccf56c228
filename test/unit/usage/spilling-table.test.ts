import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpillingTable } from '../../../shared/usage/spilling-table.ts';

async function keysOf(table: SpillingTable): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of table.rows()) keys.push(key);
  return keys;
}

describe('SpillingTable', () => {
  it("gives its rows in JavaScript's string order, whatever the keys, in memory and spilled", async () => {
    // Keys that tie on their first two code units, are one unit long, hold U+0000, or high
    // code units and surrogate pairs; in a shuffled order.
    const keys = ['', 'a', 'a\u0000', 'a\u0000b', 'ab', 'abc', 'abd', 'aB', '\uffff', '\u{1F600}x'];
    // Code units past a byte, early and late in the key, before units that would sort the
    // other way.
    keys.push('\u0100\u0005', '\u0190\u0001', '\u00ff\u0002', '\u00fez', 'abcde\u0100');
    keys.push('abcdef', 'abcde', 'abcd\u0101a', 'abcd\u0100b', 'abcd\u00ffc');
    for (let i = 0; i < 300; i++) keys.push(`L${(i * 7919) % 1000}-${i % 3}`, `CUST#c${i % 17}`);
    const unique = [...new Set(keys)];
    const shuffled = unique.map((key, i) => [key, (i * 104_729) % 997] as const);
    shuffled.sort((a, b) => a[1] - b[1]);
    for (const maxRows of [8, 10_000]) {
      const table = new SpillingTable(['sum'], maxRows);
      try {
        for (const [key] of shuffled) {
          const row = table.find(key) ?? table.insert(key);
          table.values[row] = (table.values[row] as number) + 1;
        }
        expect(await keysOf(table)).toEqual([...unique].sort());
      } finally {
        table.discard();
      }
    }
  });

  it('gives appended rows in string order, those of one key combined, for any keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 60 }),
        fc.constantFrom(3, 10_000),
        async (keys, maxRows) => {
          const table = new SpillingTable(['sum'], maxRows);
          try {
            for (const key of keys) {
              const row = table.append(key);
              table.values[row] = (table.values[row] as number) + 1;
            }
            const counts = new Map<string, number>();
            for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
            const rows: Array<[string, number]> = [];
            for await (const { key, values } of table.rows()) rows.push([key, values[0] as number]);
            expect(rows).toEqual([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
          } finally {
            table.discard();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same rows when read again, its spilled runs sorted once', async () => {
    const table = new SpillingTable(['sum', 'min', 'max'], 4);
    try {
      for (let i = 0; i < 30; i++) {
        const row = table.append(`link-${(i * 7) % 11}`, ' acme');
        table.values.set([1, i, i], row * 3);
      }
      const read = async () => {
        const rows: Array<[string, number[]]> = [];
        for await (const { key, values } of table.rows()) rows.push([key, values]);
        return rows;
      };
      const first = await read();
      expect(first.slice(0, 3)).toEqual([
        ['link-0 acme', [3, 0, 22]],
        ['link-1 acme', [2, 8, 19]],
        ['link-10 acme', [3, 3, 25]],
      ]);
      expect(first.reduce((sum, [, values]) => sum + (values[0] as number), 0)).toBe(30);
      expect(await read()).toEqual(first);
    } finally {
      table.discard();
    }
  });

  it('holds one row per key, found again without spilling, and sorts it by key and tail', async () => {
    const table = new SpillingTable(['sum'], 2);
    try {
      for (let i = 0; i < 50; i++) {
        for (const [key, tail] of [
          ['link-b', ' zed'],
          ['link-a', ' acme'],
        ] as const) {
          const row = table.find(key) ?? table.insert(key, tail);
          table.values[row] = (table.values[row] as number) + i;
        }
      }
      expect(table.generation).toBe(0);
      expect(table.find('link-a zed')).toBeUndefined();
      const rows: Array<[string, number]> = [];
      for await (const { key, values } of table.rows()) rows.push([key, values[0] as number]);
      expect(rows).toEqual([
        ['link-a acme', 1225],
        ['link-b zed', 1225],
      ]);
    } finally {
      table.discard();
    }
  });

  it('finds a key however it was inserted: without looking first, or after looking for another', () => {
    const table = new SpillingTable(['sum'], 8);
    try {
      expect(table.find('other')).toBeUndefined();
      expect([table.insert('first'), table.insert('second', ' tail')]).toEqual([0, 1]);
      expect(table.find('third')).toBeUndefined();
      expect(table.insert('fourth')).toBe(2);
      expect(['first', 'second', 'fourth', 'third'].map((key) => table.find(key))).toEqual([
        0,
        1,
        2,
        undefined,
      ]);
    } finally {
      table.discard();
    }
  });

  it('finds every key held as its index and its keys grow', () => {
    const table = new SpillingTable(['sum'], 5000);
    try {
      const keys = Array.from(
        { length: 3000 },
        (_, i) => `link-${(i * 7919) % 3001}-${'x'.repeat(i % 20)}`,
      );
      const rows = keys.map((key) => table.insert(key));
      expect(keys.map((key) => table.find(key))).toEqual(rows);
      expect(table.generation).toBe(0);
    } finally {
      table.discard();
    }
  });
});
