import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { type ArenaParts, KeyArena, unitsToString } from './key-arena.ts';

/** One row of a table: its key and its values. */
export interface TableRow {
  key: string;
  values: number[];
}

/**
 * A run of rows on disk, in the order written: per row, the byte length of its key in UTF-8
 * (32 bits), the key, zeros up to the next multiple of 8 bytes, then its `width` values as
 * 64-bit floats (in the machine's byte order: a run is read back by the process that wrote
 * it). Binary, so that neither the writer formats a number nor the reader parses one, and
 * aligned, so that the values are copied as floats rather than byte by byte: a table of many
 * rows (a log object's links) is spilled and merged back at the speed of copying.
 */
export class RunWriter {
  readonly #file: number;
  readonly #width: number;
  #buffer = alignedBuffer(BUFFER_BYTES);
  #floats = floatsOf(this.#buffer);
  #used = 0;

  constructor(path: string, width: number) {
    this.#file = openSync(path, 'w');
    this.#width = width;
  }

  /** Appends a row: `values` holds it at `offset`, `width` slots. */
  write(key: string, values: ArrayLike<number>, offset: number): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.#reserve(rowBytes(key.length * 3, this.#width));
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
    this.#reserve(rowBytes(end - start, this.#width));
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
      if (bytes > this.#buffer.length) {
        this.#buffer = alignedBuffer(bytes);
        this.#floats = floatsOf(this.#buffer);
      }
    }
  }

  /** Writes the row's key length before its key (`keyBytes` long), and its values after. */
  #endRow(keyBytes: number, values: ArrayLike<number>, offset: number): void {
    const buffer = this.#buffer;
    const start = this.#used;
    buffer.writeUInt32LE(keyBytes, start);
    const valuesAt = start + valuesOffset(keyBytes);
    // At most 7 bytes: a loop, cheaper than a call to fill.
    for (let i = start + 4 + keyBytes; i < valuesAt; i++) buffer[i] = 0;
    const floats = this.#floats;
    const first = valuesAt >>> 3;
    for (let i = 0; i < this.#width; i++) floats[first + i] = values[offset + i] as number;
    this.#used = valuesAt + 8 * this.#width;
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
  #buffer = alignedBuffer(BUFFER_BYTES);
  #floats = floatsOf(this.#buffer);
  /** Where the next row starts in the buffer: a multiple of 8, as rows are. */
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
    const size = rowBytes(keyBytes, this.#width);
    if (!this.#fill(size)) throw this.#damaged();
    const keyStart = this.#start + 4;
    const key = this.#buffer.toString('utf8', keyStart, keyStart + keyBytes);
    const floats = this.#floats;
    // The values are the row's last 8 * width bytes.
    const first = (this.#start + size) / 8 - this.#width;
    const values: number[] = [];
    for (let i = 0; i < this.#width; i++) values.push(floats[first + i] as number);
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
    const buffer = bytes > this.#buffer.length ? alignedBuffer(bytes + BUFFER_BYTES) : this.#buffer;
    this.#buffer.copy(buffer, 0, this.#start, this.#end);
    this.#buffer = buffer;
    this.#floats = floatsOf(buffer);
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

/** Rows as a table held them, unsorted: its keys (`KeyArena`) and their values. */
export interface HeldRows {
  keys: KeyArena;
  /** `width` values a row, row after row. */
  values: Float64Array;
}

/**
 * Writes rows as they lie in memory, unsorted: a header (rows, code units, width: 16
 * bytes), each row's key bounds, the keys' UTF-16 code units, zeros up to a multiple of 8
 * bytes, then the values as 64-bit floats (in the machine's byte order). A few writes of
 * whole arrays, however many rows: the rows are sorted (`RunWriter`) only if read back.
 */
export function writeHeldRun(
  path: string,
  keys: ArenaParts,
  values: Float64Array,
  width: number,
): void {
  const rows = keys.bounds.length / 3;
  const file = openSync(path, 'w');
  try {
    const header = new Int32Array([rows, keys.units.length, width, 0]);
    const pad = new Uint8Array(
      padding(HEADER_BYTES + keys.bounds.byteLength + keys.units.byteLength),
    );
    for (const part of [header, keys.bounds, keys.units, pad, values.subarray(0, rows * width)]) {
      for (let done = 0; done < part.byteLength;) {
        done += writeSync(file, part, done, part.byteLength - done);
      }
    }
  } finally {
    closeSync(file);
  }
}

/**
 * Reads back what `writeHeldRun` wrote: the arrays are views into one read of the file, in
 * a buffer of its own (so that they start where the file says, aligned for their type).
 */
export function readHeldRun(path: string): HeldRows {
  const file = openSync(path, 'r');
  try {
    const size = fstatSync(file).size;
    const bytes = new Uint8Array(size);
    for (let done = 0; done < size;) {
      const read = readSync(file, bytes, done, size - done, done);
      if (read === 0) break;
      done += read;
    }
    const damaged = new Error(`a damaged spill file: ${path}`);
    if (size < HEADER_BYTES) throw damaged;
    const header = new Int32Array(bytes.buffer, 0, 3);
    const rows = header[0] as number;
    const units = header[1] as number;
    const unitsAt = HEADER_BYTES + 12 * rows;
    const valuesAt = unitsAt + 2 * units;
    if (size !== valuesAt + padding(valuesAt) + 8 * rows * (header[2] as number)) throw damaged;
    return {
      keys: KeyArena.of({
        bounds: new Int32Array(bytes.buffer, HEADER_BYTES, 3 * rows),
        units: new Uint16Array(bytes.buffer, unitsAt, units),
      }),
      values: new Float64Array(bytes.buffer, valuesAt + padding(valuesAt)),
    };
  } finally {
    closeSync(file);
  }
}

const HEADER_BYTES = 16;

/** The zeros that bring `bytes` to a multiple of 8. */
function padding(bytes: number): number {
  return -bytes & 7;
}

const BUFFER_BYTES = 1 << 16;

/** Where a row's values start, from the row's start: after its key, at a multiple of 8. */
function valuesOffset(keyBytes: number): number {
  return (4 + keyBytes + 7) & ~7;
}

/** The bytes a row takes whose key is `keyBytes` long (at most, for a key at most that long). */
function rowBytes(keyBytes: number, width: number): number {
  return valuesOffset(keyBytes) + 8 * width;
}

/** A buffer of its own memory (not a slice of Node's pool), so 8-byte aligned, whole floats. */
function alignedBuffer(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(Math.ceil(bytes / 8) * 8));
}

function floatsOf(buffer: Buffer): Float64Array {
  return new Float64Array(buffer.buffer, buffer.byteOffset, buffer.length >>> 3);
}
