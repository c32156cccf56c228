import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyArena } from '../../../shared/usage/key-arena.ts';
import {
  readHeldRun,
  RunReader,
  RunWriter,
  type TableRow,
  writeHeldRun,
} from '../../../shared/usage/spill-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'spill-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readAll(path: string, width: number): TableRow[] {
  const reader = new RunReader(path, width);
  const rows: TableRow[] = [];
  for (let row = reader.next(); row !== undefined; row = reader.next()) rows.push(row);
  return rows;
}

describe('spill runs', () => {
  it('read back every row as written: any key, exact values, across buffer boundaries', () => {
    const path = join(dir, 'run');
    const rows: TableRow[] = [
      { key: 'CUST#acme\u00012026-11-01', values: [2 ** 53 - 1, 0, -0, 1.5] },
      { key: 'L\u00e9nk \u{1F600} globex', values: [Infinity, -Infinity, 7, 3] },
      // Longer than a buffer of 64 KiB, in bytes.
      { key: 'x\u00e9'.repeat(30_000), values: [1, 2, 3, 4] },
      ...Array.from({ length: 5000 }, (_, i) => ({ key: `link-${i}`, values: [i, i * 2, 0, 1] })),
    ];
    const writer = new RunWriter(path, 4);
    const flat = rows.flatMap((row) => row.values);
    rows.forEach((row, i) => writer.write(row.key, flat, i * 4));
    writer.close();
    const back = readAll(path, 4);
    expect(back).toEqual(rows);
    expect(Object.is(back[0]?.values[2], -0)).toBe(true);
  });

  it('writes a key given as UTF-16 code units as it writes the string: ASCII, or not, any length', () => {
    const path = join(dir, 'units');
    const keys = [
      'link-a acme',
      '',
      'L\u00e9nk \u{1F600} globex',
      'x'.repeat(70_000),
      'a\u00e9'.repeat(30_000),
    ];
    const all = keys.join('');
    const codeUnits = Uint16Array.from({ length: all.length }, (_, i) => all.charCodeAt(i));
    const writer = new RunWriter(path, 1);
    let at = 0;
    keys.forEach((key, i) => {
      writer.writeUnits(codeUnits, at, at + key.length, [i], 0);
      at += key.length;
    });
    writer.close();
    expect(readAll(path, 1)).toEqual(keys.map((key, i) => ({ key, values: [i] })));
  });

  it('reads an empty run as no rows', () => {
    const path = join(dir, 'empty');
    new RunWriter(path, 2).close();
    expect(readAll(path, 2)).toEqual([]);
  });

  it('refuses a run cut short', () => {
    const path = join(dir, 'cut');
    const writer = new RunWriter(path, 2);
    writer.write('a', [1, 2], 0);
    writer.write('b', [3, 4], 0);
    writer.close();
    truncateSync(path, statSync(path).size - 3);
    expect(() => readAll(path, 2)).toThrow(`a damaged spill file: ${path}`);
  });

  it('reads back a run written as held: every key and tail, every value, in the order held', () => {
    const row = fc.record({
      key: fc.string({ unit: 'binary', maxLength: 40 }),
      tail: fc.string({ unit: 'binary', maxLength: 4 }),
      values: fc.array(fc.double(), { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 300 }), (rows) => {
        const path = join(dir, 'held');
        const keys = new KeyArena();
        for (const { key, tail } of rows) keys.add(key, tail);
        // Values held in a larger array than the rows need, as a table's are.
        const values = new Float64Array(3 * rows.length + 9);
        values.set(rows.flatMap((r) => r.values));
        writeHeldRun(path, keys.held(), values, 3);
        const back = readHeldRun(path);
        const read = rows.map((_, i) => ({
          key: back.keys.sortKey(i),
          values: [...back.values.subarray(3 * i, 3 * i + 3)],
        }));
        expect(read).toEqual(rows.map(({ key, tail, values }) => ({ key: key + tail, values })));
        expect(back.values.length).toBe(3 * rows.length);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a held run cut short, or with a byte too many', () => {
    const keys = new KeyArena();
    keys.add('link-a', ' acme');
    keys.add('link-b', ' globex');
    for (const change of [-1, -8, 1]) {
      const path = join(dir, `held-damaged${change}`);
      writeHeldRun(path, keys.held(), new Float64Array([1, 2]), 1);
      truncateSync(path, statSync(path).size + change);
      expect(() => readHeldRun(path)).toThrow(`a damaged spill file: ${path}`);
    }
    const empty = join(dir, 'held-empty');
    truncateSync(join(dir, 'held-damaged1'), 0);
    writeHeldRun(empty, new KeyArena().held(), new Float64Array(0), 1);
    expect(readHeldRun(empty).values.length).toBe(0);
    expect(() => readHeldRun(join(dir, 'held-damaged1'))).toThrow('a damaged spill file');
  });
});
