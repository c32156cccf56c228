import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** One line of a log object: its text, or only its length when it exceeded the limit. */
export type SourceLine =
  { number: number; text: string } | { number: number; overlongChars: number };

/** Bytes or text to read lines from: a Node stream, an SDK response body, an array of chunks. */
export type LineSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ReadLinesOptions {
  /** Longer lines are reported by length and their text dropped; default 1 MiB of characters. */
  maxLineLength?: number;
}

const DEFAULT_MAX_LINE_LENGTH = 1 << 20;
const READ_BYTES = 1 << 18;

/** Why a line over the length limit is not a record. */
export function overlongReason(overlongChars: number): string {
  return `the line is too long (${overlongChars} characters)`;
}
const CARRIAGE_RETURN = 13;
const NEWLINE = 10;

/**
 * Splits a stream of bytes (a log object, a file, stdin) into lines with memory bounded by
 * the chunk size and `maxLineLength`, whatever the stream's size. Handles `\n` and `\r\n`,
 * a last line without a newline, and multi-byte UTF-8 characters split across chunks.
 * Empty lines are skipped but counted, so `number` is the line's number in the input.
 *
 * @example
 * for await (const line of readLines(createReadStream('access.log'))) {
 *   if ('text' in line) console.log(line.number, parseLine(line.text));
 * }
 */
export async function* readLines(
  source: LineSource,
  options: ReadLinesOptions = {},
): AsyncGenerator<SourceLine> {
  const lines: SourceLine[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), options);
  for await (const chunk of source) {
    splitter.push(chunk);
    yield* lines;
    lines.length = 0;
  }
  splitter.end();
  yield* lines;
}

export interface ReadFileLinesOptions extends ReadLinesOptions {
  /** Called with the size of each chunk read, before its lines. */
  onChunk?: (bytes: number) => void;
  /** The bytes to read, `[start, end)`: whole lines (default: the whole file). */
  start?: number;
  end?: number;
  /**
   * The buffer to read into, for a caller that reads many ranges (`readBuffer()`): a new
   * one each time left hundreds of them for the collector to find.
   */
  buffer?: Buffer;
}

/** A buffer of the size `readFileLinesSync` reads at a time. */
export function readBuffer(): Buffer {
  return Buffer.allocUnsafe(READ_BYTES);
}

/**
 * A file's lines as `readLines` gives them, read synchronously: no wait between chunks.
 * Returns how many lines it read, empty ones included.
 *
 * Each line is decoded on its own, from the bytes read, into a string of its own: a line
 * sliced from a decoded chunk is a view into the chunk, and reading its characters one by
 * one through the view (as the metering's scanner does) made `aggregate` 5% slower. A line
 * longer than the buffer is read as `readLines` reads it.
 */
export function readFileLinesSync(
  path: string,
  onLine: (line: SourceLine) => void,
  options: ReadFileLinesOptions = {},
): number {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  let number = 0;
  // The line being read when it is longer than the buffer.
  let long: LineSplitter | undefined;
  const file = openSync(path, 'r');
  try {
    // 256 KiB at a time: fewer system calls (about half the time in them of 32 KiB).
    const buffer = options.buffer ?? readBuffer();
    const end = options.end ?? Infinity;
    // The bytes of an unfinished line, moved to the start of the buffer.
    let kept = 0;
    for (let at = options.start ?? 0; at < end;) {
      const read = readSync(file, buffer, kept, Math.min(buffer.length - kept, end - at), at);
      if (read === 0) break;
      at += read;
      options.onChunk?.(read);
      const bytes = buffer.subarray(0, kept + read);
      let start = 0;
      if (long !== undefined) {
        const newline = bytes.indexOf(NEWLINE);
        long.push(bytes.subarray(0, newline === -1 ? bytes.length : newline + 1));
        if (newline === -1) {
          kept = 0;
          continue;
        }
        long = undefined;
        start = newline + 1;
      }
      for (let newline = bytes.indexOf(NEWLINE, start); newline !== -1;) {
        number++;
        const text = utf8(bytes, start, withoutReturn(bytes, start, newline));
        handOn(onLine, number, text, maxLineLength);
        start = newline + 1;
        newline = bytes.indexOf(NEWLINE, start);
      }
      kept = bytes.length - start;
      if (kept === buffer.length) {
        // No newline in a whole buffer: a line longer than it, read on as readLines reads it.
        number++;
        long = new LineSplitter((line) => onLine({ ...line, number }), options);
        long.push(bytes);
        kept = 0;
      } else buffer.copy(buffer, 0, start, bytes.length);
    }
    if (long !== undefined) long.end();
    else if (kept > 0) {
      number++;
      handOn(onLine, number, utf8(buffer, 0, withoutReturn(buffer, 0, kept)), maxLineLength);
    }
  } finally {
    closeSync(file);
  }
  return number;
}

type Utf8Slicing = Buffer & { utf8Slice?: (start: number, end: number) => string };

/**
 * The text of UTF-8 bytes `[start, end)`: with Buffer's own `utf8Slice`, which `toString`
 * calls after checking its arguments (that checking took a third of the time of decoding
 * a line); with `toString` where it is missing.
 */
const utf8: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Utf8Slicing).utf8Slice === 'function'
    ? (bytes, start, end) => (bytes as Required<Utf8Slicing>).utf8Slice(start, end)
    : (bytes, start, end) => bytes.toString('utf8', start, end);

/** Where the line in bytes `[start, end)` ends without the \r of a \r\n. */
function withoutReturn(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
}

/**
 * Hands on a line's text (without its line end): by its length when it is over the limit;
 * an empty line is only counted.
 */
function handOn(
  onLine: (line: SourceLine) => void,
  number: number,
  text: string,
  maxLineLength: number,
): void {
  if (text.length > maxLineLength) onLine({ number, overlongChars: text.length });
  else if (text.length > 0) onLine({ number, text });
}

/**
 * Where the line after byte `at` of a file starts: after its next newline, or at its end.
 * It reads `buffer` (a new one of 32 KiB by default) full at a time.
 */
export function nextLineStart(
  path: string,
  at: number,
  buffer: Buffer = Buffer.allocUnsafe(1 << 15),
): number {
  const file = openSync(path, 'r');
  try {
    for (let from = at; ; from += buffer.length) {
      const read = readSync(file, buffer, 0, buffer.length, from);
      const newline = buffer.subarray(0, read).indexOf(NEWLINE);
      if (newline !== -1) return from + newline + 1;
      if (read < buffer.length) return from + read;
    }
  } finally {
    closeSync(file);
  }
}

/** `readLines`' splitting, fed chunk by chunk, handing each line to `onLine` as it ends. */
export class LineSplitter {
  readonly #onLine: (line: SourceLine) => void;
  readonly #maxLineLength: number;
  readonly #decoder = new StringDecoder('utf8');
  #carry = '';
  /** Characters of the current line already dropped because it is too long; -1 when none. */
  #dropped = -1;
  /** Whether the last character dropped was a carriage return. */
  #droppedReturn = false;
  #number = 0;

  constructor(onLine: (line: SourceLine) => void, options: ReadLinesOptions = {}) {
    this.#onLine = onLine;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.#finish(text.slice(start, newline));
      start = newline + 1;
    }
    this.#keep(text.slice(start));
  }

  /** How many lines ended so far, empty ones included. */
  get lines(): number {
    return this.#number;
  }

  /** Ends the input: its last line may have no newline. */
  end(): void {
    this.#keep(this.#decoder.end());
    if (this.#carry.length > 0 || this.#dropped >= 0) this.#finish('');
  }

  /** Ends the line `carry` + `tail`; an empty line is only counted. */
  #finish(tail: string): void {
    const number = ++this.#number;
    if (this.#dropped >= 0) {
      const endsWithReturn =
        tail.length > 0
          ? tail.charCodeAt(tail.length - 1) === CARRIAGE_RETURN
          : this.#droppedReturn;
      // Counted as if it had been kept: without the carriage return of a \r\n.
      const overlongChars = this.#dropped + tail.length - (endsWithReturn ? 1 : 0);
      this.#dropped = -1;
      this.#onLine({ number, overlongChars });
      return;
    }
    let text = this.#carry.length > 0 ? this.#carry + tail : tail;
    this.#carry = '';
    if (text.charCodeAt(text.length - 1) === CARRIAGE_RETURN) text = text.slice(0, -1);
    handOn(this.#onLine, number, text, this.#maxLineLength);
  }

  #keep(rest: string): void {
    if (this.#dropped >= 0) this.#dropped += rest.length;
    // One character past the limit is still kept: it may be the \r of a \r\n, not counted.
    else if (this.#carry.length + rest.length > this.#maxLineLength + 1) {
      this.#dropped = this.#carry.length + rest.length;
      this.#carry = '';
    } else {
      this.#carry += rest;
      return;
    }
    if (rest.length > 0) this.#droppedReturn = rest.charCodeAt(rest.length - 1) === CARRIAGE_RETURN;
  }
}

/** The source's chunks unchanged, each shown to `onChunk` as it passes (to count or hash them). */
export async function* tapChunks(
  source: LineSource,
  onChunk: (chunk: Uint8Array | string) => void,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    onChunk(chunk);
    yield chunk;
  }
}
