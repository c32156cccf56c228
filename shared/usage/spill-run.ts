import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { unitsToString } from './key-arena.ts';

/** One row of a table: its key and its values. */
export interface TableRow {
  key: string;
  values: number[];
}

/**
 * A run of rows on disk, in the order written: per row, the byte length of its key in UTF-8
 * (32 bits), the key, then its `width` values as 64-bit floats. Binary, so that neither the
 * writer formats a number nor the reader parses one: a table of many rows (a log object's
 * links) is spilled and merged back at the speed of copying.
 */
export class RunWriter {
  readonly #file: number;
  readonly #width: number;
  #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  #used = 0;

  constructor(path: string, width: number) {
    this.#file = openSync(path, 'w');
    this.#width = width;
  }

  /** Appends a row: `values` holds it at `offset`, `width` slots. */
  write(key: string, values: ArrayLike<number>, offset: number): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.#reserve(4 + key.length * 3 + 8 * this.#width);
    const keyBytes = this.#buffer.write(key, this.#used + 4, 'utf8');
    this.#endRow(keyBytes, values, offset);
  }

  /** Appends a row whose key is the UTF-16 code units `[start, end)` of `units`. */
  writeUnits(
    units: Uint16Array,
    start: number,
    end: number,
    values: ArrayLike<number>,
    offset: number,
  ): void {
    this.#reserve(4 + (end - start) + 8 * this.#width);
    // ASCII (ids, dates) is its own UTF-8: copied unit by unit, with no string made.
    const buffer = this.#buffer;
    const at = this.#used + 4 - start;
    for (let i = start; i < end; i++) {
      const unit = units[i] as number;
      if (unit >= 0x80) {
        this.write(unitsToString(units, start, end), values, offset);
        return;
      }
      buffer[at + i] = unit;
    }
    this.#endRow(end - start, values, offset);
  }

  close(): void {
    try {
      this.#flush();
    } finally {
      closeSync(this.#file);
    }
  }

  /** Room for `bytes` more in the buffer. */
  #reserve(bytes: number): void {
    if (this.#used + bytes > this.#buffer.length) {
      this.#flush();
      if (bytes > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(bytes);
    }
  }

  /** Writes the row's key length before its key (`keyBytes` long), and its values after. */
  #endRow(keyBytes: number, values: ArrayLike<number>, offset: number): void {
    const buffer = this.#buffer;
    buffer.writeUInt32LE(keyBytes, this.#used);
    let at = this.#used + 4 + keyBytes;
    for (let i = 0; i < this.#width; i++, at += 8) {
      buffer.writeDoubleLE(values[offset + i] as number, at);
    }
    this.#used = at;
  }

  #flush(): void {
    let done = 0;
    while (done < this.#used) done += writeSync(this.#file, this.#buffer, done, this.#used - done);
    this.#used = 0;
  }
}

/** Reads a run back row by row (`RunWriter`), synchronously, with one buffer. */
export class RunReader {
  readonly #path: string;
  readonly #width: number;
  #file: number | undefined;
  #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  #start = 0;
  #end = 0;

  constructor(path: string, width: number) {
    this.#path = path;
    this.#width = width;
    this.#file = openSync(path, 'r');
  }

  /** The next row, or undefined at the end of the run (the file is closed then). */
  next(): TableRow | undefined {
    if (!this.#fill(4)) {
      if (this.#end > this.#start) throw this.#damaged();
      this.close();
      return undefined;
    }
    const keyBytes = this.#buffer.readUInt32LE(this.#start);
    const size = 4 + keyBytes + 8 * this.#width;
    if (!this.#fill(size)) throw this.#damaged();
    const buffer = this.#buffer;
    const keyStart = this.#start + 4;
    const key = buffer.toString('utf8', keyStart, keyStart + keyBytes);
    const values: number[] = [];
    for (let at = keyStart + keyBytes; at < this.#start + size; at += 8) {
      values.push(buffer.readDoubleLE(at));
    }
    this.#start += size;
    return { key, values };
  }

  close(): void {
    if (this.#file !== undefined) closeSync(this.#file);
    this.#file = undefined;
  }

  /** Whether `bytes` bytes are buffered from `#start`, reading more as needed. */
  #fill(bytes: number): boolean {
    if (this.#end - this.#start >= bytes) return true;
    if (this.#file === undefined) return false;
    const kept = this.#end - this.#start;
    const buffer =
      bytes > this.#buffer.length ? Buffer.allocUnsafe(bytes + BUFFER_BYTES) : this.#buffer;
    this.#buffer.copy(buffer, 0, this.#start, this.#end);
    this.#buffer = buffer;
    this.#start = 0;
    this.#end = kept;
    while (this.#end < bytes) {
      const read = readSync(this.#file, buffer, this.#end, buffer.length - this.#end, null);
      if (read === 0) return false;
      this.#end += read;
    }
    return true;
  }

  #damaged(): Error {
    this.close();
    return new Error(`a damaged spill file: ${this.#path}`);
  }
}

const BUFFER_BYTES = 1 << 16;
