import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLines, type SourceLine } from '../../../shared/access-log/index.ts';
import { nextLineStart, readFileLinesSync } from '../../../shared/access-log/read-lines.ts';

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
    const expected = [
      { number: 1, text: 'a' },
      // Its length without the \r of its \r\n, however the chunks fall.
      { number: 2, overlongChars: 10_000 },
      { number: 3, text: 'b' },
    ];
    expect(await collect(chunks, 1000)).toEqual(expected);
    expect(await collect([chunks.join('')], 1000)).toEqual(expected);
    expect(await collect(['a\n', long, '\r', '\nb\n'], 1000)).toEqual(expected);
    // A line one past the limit only with its \r is not over-long.
    const edge = 'z'.repeat(1000);
    for (const parts of [
      [`${edge}\r\n`],
      [edge, '\r', '\n'],
      [edge.slice(0, 10), `${edge.slice(10)}\r`, '\n'],
    ]) {
      expect(await collect(parts, 1000)).toEqual([{ number: 1, text: edge }]);
    }
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

describe('readFileLinesSync', () => {
  it('gives a file the lines readLines gives, across its 256 KiB reads and 32 KiB decodes', async () => {
    // Multi-byte characters and line ends fall on the boundaries; one line is over-long.
    const parts = ['é'.repeat(32_767) + 'x\r\n', '\n', 'ü'.repeat(80_000), '\n', 'z'.repeat(300)];
    // The first read ends inside a two-byte character (225,840 bytes come before the 'a's).
    parts.push('\n', 'a'.repeat((1 << 18) - 225_840 - 1), 'é'.repeat(150_000));
    const text = `${parts.join('')}\nlast without newline`;
    const dir = mkdtempSync(join(tmpdir(), 'read-lines-'));
    try {
      const path = join(dir, 'access.log');
      writeFileSync(path, text);
      const lines: SourceLine[] = [];
      readFileLinesSync(path, (line) => lines.push(line), { maxLineLength: 70_000 });
      expect(lines).toEqual(await collect([Buffer.from(text)], 70_000));
      expect(lines.map((line) => line.number)).toEqual([1, 3, 4, 5, 6]);
      expect(lines[1]).toEqual({ number: 3, overlongChars: 80_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('gives the lines readLines gives where line ends, long lines and the file end meet its reads', async () => {
    const READ = 1 << 18;
    const files = [
      // A \r\n split by the first read's end, then a line ending on the second's.
      `${'a'.repeat(READ - 1)}\r\nb${'c'.repeat(READ - 3)}\n\r\nd`,
      // Lines longer than a read: ending with \r\n inside a later read, and last of all.
      `x\n${'L'.repeat(READ + 5)}\r\ny\n${'é'.repeat(READ)}`,
      // A last line of just \r, and one whose \r is the file's last byte.
      `a\nb\r\n\r`,
      `${'m'.repeat(READ)}\r`,
    ];
    const dir = mkdtempSync(join(tmpdir(), 'read-lines-'));
    try {
      for (const [i, text] of files.entries()) {
        const path = join(dir, `${i}.log`);
        writeFileSync(path, text);
        for (const maxLineLength of [undefined, 10, READ]) {
          const options = maxLineLength === undefined ? {} : { maxLineLength };
          const lines: SourceLine[] = [];
          const count = readFileLinesSync(path, (line) => lines.push(line), options);
          expect(lines).toEqual(await collect([Buffer.from(text)], maxLineLength));
          expect(count).toBe(text.split('\n').length);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nextLineStart and ranges of a file', () => {
  it('cuts a file into ranges of whole lines that read as the whole file', () => {
    const text = ['a', 'ü'.repeat(40_000), '', 'b\r', 'é€', 'last'].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'read-lines-'));
    try {
      const path = join(dir, 'access.log');
      writeFileSync(path, text);
      const bytes = Buffer.from(text);
      const size = bytes.length;
      const whole: SourceLine[] = [];
      const count = readFileLinesSync(path, (line) => whole.push(line));
      expect(count).toBe(6);
      for (let at = 0; at <= size; at += 997) {
        const cut = nextLineStart(path, at);
        // Just after the first newline at or after `at`, or the file's end if there is none.
        const newline = bytes.indexOf(10, at);
        expect(cut).toBe(newline === -1 ? size : newline + 1);
        const lines: SourceLine[] = [];
        const first = readFileLinesSync(path, (line) => lines.push(line), { start: 0, end: cut });
        readFileLinesSync(path, (line) => lines.push({ ...line, number: line.number + first }), {
          start: cut,
          end: size,
        });
        expect(lines).toEqual(whole);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
