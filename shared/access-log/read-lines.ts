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

/** Why a line over the length limit is not a record. */
export function overlongReason(overlongChars: number): string {
  return `the line is too long (${overlongChars} characters)`;
}
const CARRIAGE_RETURN = 13;

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
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  // Characters of the current line already dropped because it is too long; -1 when none.
  let dropped = -1;
  let number = 0;

  /** The line ending here (`carry` + `tail`), unless it is empty; undefined for an empty line. */
  const finish = (tail: string): SourceLine | undefined => {
    number++;
    if (dropped >= 0) {
      const overlongChars = dropped + tail.length;
      dropped = -1;
      return { number, overlongChars };
    }
    let text = carry.length > 0 ? carry + tail : tail;
    carry = '';
    if (text.charCodeAt(text.length - 1) === CARRIAGE_RETURN) text = text.slice(0, -1);
    if (text.length > maxLineLength) return { number, overlongChars: text.length };
    return text.length > 0 ? { number, text } : undefined;
  };

  const keep = (rest: string): void => {
    if (dropped >= 0) dropped += rest.length;
    else if (carry.length + rest.length > maxLineLength) {
      dropped = carry.length + rest.length;
      carry = '';
    } else carry += rest;
  };

  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const line = finish(text.slice(start, newline));
      if (line !== undefined) yield line;
      start = newline + 1;
    }
    keep(text.slice(start));
  }
  keep(decoder.end());
  if (carry.length > 0 || dropped >= 0) {
    const line = finish('');
    if (line !== undefined) yield line;
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
