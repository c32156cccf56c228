import { decompressIfGzip } from './decompress.ts';
import { type ParseResult, parseLine } from './parse-line.ts';
import { type LineSource, overlongReason, type ReadLinesOptions, readLines } from './read-lines.ts';

/** The parse result of one non-empty line, with its line number (and text, unless overlong). */
export interface ParsedLine {
  number: number;
  result: ParseResult;
  text?: string;
}

/**
 * Reads and parses a log stream line by line, in bounded memory, gunzipping it first when
 * it is gzip. Every non-empty line yields exactly one result; a line over the length limit
 * is a rejection, not an error.
 */
export async function* parseLogStream(
  source: LineSource,
  options: ReadLinesOptions = {},
): AsyncGenerator<ParsedLine> {
  for await (const line of readLines(decompressIfGzip(source), options)) {
    yield 'text' in line
      ? { number: line.number, result: parseLine(line.text), text: line.text }
      : {
          number: line.number,
          result: { ok: false, reason: overlongReason(line.overlongChars) },
        };
  }
}
