import { describe, expect, it } from 'vitest';
import { readLines, type SourceLine } from '../../../shared/access-log/index.ts';

async function collect(
  chunks: Array<string | Uint8Array>,
  maxLineLength?: number,
): Promise<SourceLine[]> {
  const lines: SourceLine[] = [];
  const options = maxLineLength === undefined ? {} : { maxLineLength };
  for await (const line of readLines(chunks, options)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('splits \\n and \\r\\n lines and keeps a last line without a newline', async () => {
    expect(await collect(['a\nb\r\nc'])).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'b' },
      { number: 3, text: 'c' },
    ]);
  });

  it('skips empty lines but keeps counting them', async () => {
    expect(await collect(['\n\na\r\n\r\nb\n\n'])).toEqual([
      { number: 3, text: 'a' },
      { number: 5, text: 'b' },
    ]);
  });

  it('joins lines and multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('héllo wörld\nzweite Zeile\n');
    const chunks = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(await collect(chunks)).toEqual([
      { number: 1, text: 'héllo wörld' },
      { number: 2, text: 'zweite Zeile' },
    ]);
  });

  it('reports an over-long line by its length, drops its text and reads on', async () => {
    const long = 'x'.repeat(10_000);
    const chunks = ['a\n', long.slice(0, 4000), long.slice(4000), '\r\nb\n'];
    expect(await collect(chunks, 1000)).toEqual([
      { number: 1, text: 'a' },
      { number: 2, overlongChars: 10_001 },
      { number: 3, text: 'b' },
    ]);
  });

  it('reports an over-long last line without a newline', async () => {
    expect(await collect(['ok\n', 'y'.repeat(50)], 10)).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, overlongChars: 50 },
    ]);
  });

  it('reads nothing from empty input', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect(['', '\n'])).toEqual([]);
  });
});
