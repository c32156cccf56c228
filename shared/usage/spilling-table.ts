import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashOf, KeyArena } from './key-arena.ts';
import { readHeldRun, RunReader, RunWriter, type TableRow, writeHeldRun } from './spill-run.ts';

export type { TableRow } from './spill-run.ts';

/** How a slot of two rows with the same key combines. */
export type Combine = 'sum' | 'min' | 'max';

const INITIAL: Record<Combine, number> = { sum: 0, min: Infinity, max: -Infinity };

/**
 * Rows of numbers by string key, added to in place, in bounded memory: once `maxRows` keys
 * are held, they are written as they lie to a temporary file (a run) and the table starts
 * afresh; `rows()` sorts each run, one at a time, then merges the runs and what is left in
 * memory back into one sorted sequence. Sorting is left to the reading: a count that only
 * needs its totals (`aggregate`'s links) writes its runs and never sorts them. The result
 * is the same whatever the bound (only the memory differs), so it is as deterministic as
 * the input.
 *
 * A `sum` slot stays an exact integer: `setAside` keeps a row that came near 2^53 apart,
 * and merging two rows that would pass 2^53 gives them as two rows of the same key.
 *
 * @example
 * const table = new SpillingTable(['sum', 'max'], 65_536);
 * const row = table.find('acme') ?? table.insert('acme');
 * table.values[row * 2] += 1;
 * for await (const { key, values } of table.rows()) console.log(key, values);
 * table.discard();
 */
export class SpillingTable {
  readonly width: number;
  /** The rows held in memory, `width` slots each: row r is `values[r * width …]`. */
  values: Float64Array;
  /** Increases whenever the rows in memory are written out: row numbers held before are void. */
  generation = 0;
  readonly #combine: readonly Combine[];
  /** A row's values before anything is added: 0 for a sum, ±Infinity for a min or max. */
  readonly #initial: Float64Array;
  readonly #maxRows: number;
  /**
   * The keys held, as UTF-16 code units one after another, and not as strings: a string per
   * row would outlive many young-generation collections, each copying it again.
   */
  readonly #keys = new KeyArena();
  /**
   * Open addressing over the rows held, by the hash of their keys (a power of two of slots,
   * at most half full): row + 1, 0 when free.
   */
  #slots: Int32Array;
  /** Each row's key's hash: compared before the key, and placing the rows again. */
  #hashes: Uint32Array;
  #rows = 0;
  /** The key `find` last looked for and its hash: a key not found is inserted next. */
  #lastKey = '';
  #lastHash = 0;
  /** Runs as spilled, unsorted (`writeHeldRun`), then runs sorted by key (`RunWriter`). */
  #heldRuns: string[] = [];
  #runs: string[] = [];
  #directory: string | undefined;
  #setAside: TableRow[] = [];
  readonly #parent: string;

  /** Runs go to a folder of their own made inside `parent` when the first is written. */
  constructor(combine: readonly Combine[], maxRows: number, parent = tmpdir()) {
    this.#parent = parent;
    this.#combine = combine;
    this.#initial = Float64Array.from(combine, (how) => INITIAL[how]);
    this.width = combine.length;
    this.#maxRows = maxRows;
    this.values = new Float64Array(Math.min(maxRows, 1024) * this.width);
    this.#slots = new Int32Array(2048);
    this.#hashes = new Uint32Array(Math.min(maxRows, 1024));
  }

  /** Whether every row is held in memory, whole: none spilled, none set aside. */
  get allHeld(): boolean {
    return this.#heldRuns.length === 0 && this.#runs.length === 0 && this.#setAside.length === 0;
  }

  /** The row of `key` among the rows held in memory, if it is there. */
  find(key: string): number | undefined {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const hash = hashOf(key);
    this.#lastKey = key;
    this.#lastHash = hash;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const held = slots[i] as number;
      if (held === 0) return undefined;
      if (this.#hashes[held - 1] === hash && this.#keys.isKey(held - 1, key)) return held - 1;
    }
  }

  /**
   * A new row for `key` (not held yet), placed by `key` followed by `sortTail` when rows are
   * read; it may first write the rows held to a run, which voids the row numbers held before
   * (`generation`).
   */
  insert(key: string, sortTail = ''): number {
    const row = this.append(key, sortTail);
    if (row === this.#hashes.length) {
      const grown = new Uint32Array(Math.min(2 * row, this.#maxRows));
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes[row] = key === this.#lastKey ? this.#lastHash : hashOf(key);
    // At most half full, so that probes stay short.
    if (this.#rows * 2 > this.#slots.length) this.#reindex(this.#slots.length * 2);
    else this.#place(row);
    return row;
  }

  /**
   * A new row for `key`, as `insert` makes, but not looked for by `find`: rows of one key
   * are combined when read. For keys that mostly come once, with no index to keep. A table
   * is added to either by `insert` or by `append`, not both.
   */
  append(key: string, sortTail = ''): number {
    if (this.#rows === this.#maxRows) this.#spill();
    const row = this.#rows++;
    this.#keys.add(key, sortTail);
    if (this.#rows * this.width > this.values.length) {
      const grown = new Float64Array(Math.min(this.values.length * 2, this.#maxRows * this.width));
      grown.set(this.values);
      this.values = grown;
    }
    this.#startRow(row);
    return row;
  }

  /** Keeps a row's values apart as a row of their own and starts the row afresh. */
  setAside(row: number): void {
    this.#setAside.push({ key: this.#keys.sortKey(row), values: this.#rowValues(row) });
    this.#startRow(row);
  }

  /**
   * Every row in key order, rows of one key combined; a key whose sums would pass 2^53, or
   * that had rows set aside, comes as several consecutive rows. Rows whose sums are all 0
   * (started afresh and never added to) are left out. The runs are read synchronously; the
   * rows still come as a stream, which the metering reads a transaction's worth at a time
   * between its writes.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- a stream for its readers
  async *rows(): AsyncGenerator<TableRow> {
    this.#sortRuns();
    const readers = this.#runs.map((path) => new RunReader(path, this.width));
    try {
      const memory = this.#memoryRows();
      const setAside = [...this.#setAside].sort((a, b) => compare(a.key, b.key)).values();
      const sources: Array<() => TableRow | undefined> = [
        ...readers.map((reader) => () => reader.next()),
        () => memory.next().value as TableRow | undefined,
        () => setAside.next().value,
      ];
      const setAsideSource = sources.length - 1;
      const heads = sources.map((next) => next());
      for (;;) {
        let smallest: string | undefined;
        for (const head of heads) {
          if (head !== undefined && (smallest === undefined || head.key < smallest))
            smallest = head.key;
        }
        if (smallest === undefined) return;
        // Rows set aside come first and alone; then the rest of the key, combined.
        while (heads[setAsideSource]?.key === smallest) {
          yield heads[setAsideSource];
          heads[setAsideSource] = sources[setAsideSource]?.();
        }
        let combined: number[] | undefined;
        for (let s = 0; s < setAsideSource; s++) {
          while (heads[s]?.key === smallest) {
            const row = heads[s] as TableRow;
            if (combined === undefined) combined = row.values;
            else if (this.#wouldPass(combined, row.values)) {
              if (this.#hasSums(combined)) yield { key: smallest, values: combined };
              combined = row.values;
            } else this.#combineInto(combined, row.values);
            heads[s] = sources[s]?.();
          }
        }
        if (combined !== undefined && this.#hasSums(combined))
          yield { key: smallest, values: combined };
      }
    } finally {
      for (const reader of readers) reader.close();
    }
  }

  /** Removes the runs written; the table is empty afterwards. */
  discard(): void {
    if (this.#directory !== undefined) rmSync(this.#directory, { recursive: true, force: true });
    this.#directory = undefined;
    this.#heldRuns = [];
    this.#runs = [];
    this.#empty();
    this.#setAside = [];
  }

  *#memoryRows(): Iterator<TableRow> {
    for (const row of this.#keys.order()) {
      yield { key: this.#keys.sortKey(row), values: this.#rowValues(row) };
    }
  }

  /** Sets a row's values to where combining starts. */
  #startRow(row: number): void {
    const { values, width } = this;
    const initial = this.#initial;
    for (let i = 0, at = row * width; i < width; i++) values[at + i] = initial[i] as number;
  }

  #rowValues(row: number): number[] {
    const values: number[] = [];
    for (let i = row * this.width; i < (row + 1) * this.width; i++) {
      values.push(this.values[i] as number);
    }
    return values;
  }

  #spill(): void {
    this.#directory ??= mkdtempSync(join(this.#parent, 'usage-meter-'));
    const path = join(this.#directory, `run-${this.#heldRuns.length + this.#runs.length}`);
    writeHeldRun(path, this.#keys.held(), this.values, this.width);
    this.#heldRuns.push(path);
    this.#empty();
    this.generation++;
  }

  /** Sorts each run spilled as it lay into a run by key: one run in memory at a time. */
  #sortRuns(): void {
    for (const path of this.#heldRuns) {
      const { keys, values } = readHeldRun(path);
      const sorted = `${path}-sorted`;
      const run = new RunWriter(sorted, this.width);
      try {
        for (const row of keys.order()) {
          run.writeUnits(keys.units, keys.start(row), keys.end(row), values, row * this.width);
        }
      } finally {
        run.close();
      }
      this.#runs.push(sorted);
      unlinkSync(path);
    }
    this.#heldRuns = [];
  }

  #empty(): void {
    this.#rows = 0;
    this.#keys.clear();
    this.#slots.fill(0);
  }

  #place(row: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let i = (this.#hashes[row] as number) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = row + 1;
  }

  #reindex(size: number): void {
    this.#slots = new Int32Array(size);
    for (let row = 0; row < this.#rows; row++) this.#place(row);
  }

  #combineInto(into: number[], from: number[]): void {
    for (let i = 0; i < this.width; i++) {
      const how = this.#combine[i];
      const a = into[i] as number;
      const b = from[i] as number;
      into[i] = how === 'sum' ? a + b : how === 'min' ? Math.min(a, b) : Math.max(a, b);
    }
  }

  #wouldPass(a: number[], b: number[]): boolean {
    return this.#combine.some(
      (how, i) => how === 'sum' && (a[i] as number) + (b[i] as number) > Number.MAX_SAFE_INTEGER,
    );
  }

  #hasSums(values: number[]): boolean {
    return this.#combine.some((how, i) => how === 'sum' && values[i] !== 0);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
