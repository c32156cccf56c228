const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over a string's UTF-16 code units, read where it lies (no copy). */
export function hashOf(key: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** The string of the UTF-16 code units `[start, end)`, made a bounded number at a time. */
export function unitsToString(units: Uint16Array, start: number, end: number): string {
  let text = '';
  for (let at = start; at < end; at += 4096) {
    text += String.fromCharCode(...units.subarray(at, Math.min(end, at + 4096)));
  }
  return text;
}

/**
 * Keys one after another as UTF-16 code units: per row its key, then the tail that sorts
 * with it. Compared and written out where they lie; a string only for the few rows
 * read back from memory. `SpillingTable` holds its keys here rather than as strings.
 */
export class KeyArena {
  units: Uint16Array = new Uint16Array(1 << 14);
  /** Per row: where its key starts, where its key ends, where its tail ends. */
  #bounds: Int32Array = new Int32Array(3 * 1024);
  #rows = 0;
  #used = 0;

  /** Adds the next row's key and its tail (the rest of its sort key). */
  add(key: string, tail: string): void {
    const start = this.#used;
    const end = start + key.length + tail.length;
    if (end > this.units.length) {
      const grown = new Uint16Array(Math.max(end, 2 * this.units.length));
      grown.set(this.units.subarray(0, start));
      this.units = grown;
    }
    if (3 * (this.#rows + 1) > this.#bounds.length) {
      const grown = new Int32Array(2 * this.#bounds.length);
      grown.set(this.#bounds);
      this.#bounds = grown;
    }
    const units = this.units;
    for (let i = 0; i < key.length; i++) units[start + i] = key.charCodeAt(i);
    const keyEnd = start + key.length;
    for (let i = 0; i < tail.length; i++) units[keyEnd + i] = tail.charCodeAt(i);
    const at = 3 * this.#rows++;
    this.#bounds[at] = start;
    this.#bounds[at + 1] = keyEnd;
    this.#bounds[at + 2] = end;
    this.#used = end;
  }

  /** Whether the row's key is `key`. */
  isKey(row: number, key: string): boolean {
    const start = this.#bounds[3 * row] as number;
    if ((this.#bounds[3 * row + 1] as number) - start !== key.length) return false;
    const units = this.units;
    for (let i = 0; i < key.length; i++) if (units[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** Where the row's sort key (key and tail) starts in `units`. */
  start(row: number): number {
    return this.#bounds[3 * row] as number;
  }

  /** Where the row's sort key ends in `units`. */
  end(row: number): number {
    return this.#bounds[3 * row + 2] as number;
  }

  sortKey(row: number): string {
    return unitsToString(this.units, this.start(row), this.end(row));
  }

  /**
   * The row's first two code units as one number. A missing one counts as 0, and ties with
   * U+0000: the whole key then decides.
   */
  prefix(row: number): number {
    const start = this.start(row);
    const end = this.end(row);
    const first = start < end ? (this.units[start] as number) : 0;
    const second = start + 1 < end ? (this.units[start + 1] as number) : 0;
    return first * 0x10000 + second;
  }

  /** Two rows' sort keys in JavaScript's string order (by code unit). */
  compare(a: number, b: number): number {
    const units = this.units;
    let i = this.#bounds[3 * a] as number;
    let j = this.#bounds[3 * b] as number;
    const aEnd = this.#bounds[3 * a + 2] as number;
    const bEnd = this.#bounds[3 * b + 2] as number;
    for (; i < aEnd && j < bEnd; i++, j++) {
      const difference = (units[i] as number) - (units[j] as number);
      if (difference !== 0) return difference;
    }
    return aEnd - i - (bEnd - j);
  }

  /**
   * The rows in order of their sort keys (rows of one key in the order added). Sorted first
   * natively as numbers, each its key's first two code units above its row number, then by
   * whole key within each run of rows whose first two code units tie: far fewer key
   * comparisons than a sort by whole key.
   */
  order(): Int32Array {
    const rows = this.#rows;
    const byKey = (a: number, b: number) => this.compare(a, b) || a - b;
    if (rows > ROW_NUMBERS) return Int32Array.from({ length: rows }, (_, row) => row).sort(byKey);
    const tagged = new Float64Array(rows);
    for (let row = 0; row < rows; row++) tagged[row] = this.prefix(row) * ROW_NUMBERS + row;
    tagged.sort();
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = (tagged[i] as number) % ROW_NUMBERS;
    for (let start = 0; start < rows;) {
      const prefix = Math.floor((tagged[start] as number) / ROW_NUMBERS);
      let end = start + 1;
      while (end < rows && Math.floor((tagged[end] as number) / ROW_NUMBERS) === prefix) end++;
      if (end - start > 1) order.subarray(start, end).sort(byKey);
      start = end;
    }
    return order;
  }

  /** Forgets every row, keeping the arrays for the next. */
  clear(): void {
    this.#rows = 0;
    this.#used = 0;
  }

  /** The rows held, as the arrays they lie in (views: valid until the next `add` or `clear`). */
  held(): ArenaParts {
    return {
      units: this.units.subarray(0, this.#used),
      bounds: this.#bounds.subarray(0, 3 * this.#rows),
    };
  }

  /** An arena of the rows `held()` gave (it keeps the arrays). */
  static of({ units, bounds }: ArenaParts): KeyArena {
    const arena = new KeyArena();
    arena.units = units;
    arena.#bounds = bounds;
    arena.#rows = bounds.length / 3;
    arena.#used = units.length;
    return arena;
  }
}

/**
 * A `KeyArena`'s rows as arrays: the keys' code units, and per row where its key starts,
 * where its key ends and where its tail ends.
 */
export interface ArenaParts {
  units: Uint16Array;
  bounds: Int32Array;
}

/** Row numbers below this fit beside a 32-bit key prefix in one exact float: 2^21. */
const ROW_NUMBERS = 2 ** 21;
