import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Real access log lines from public sources, with their expected values (see SOURCES.md). */
export const CORPUS_DIR = resolve(import.meta.dirname, '..', 'fixtures', 's3-access-logs');

/** One corpus line with the values a parser must give for it. */
export interface CorpusCase {
  file: string;
  line: number;
  text: string;
  expected: Record<string, unknown> & { _fieldCount?: number; _expectError?: boolean };
}

/** Every line of every corpus file, paired with its expected values. */
export function readCorpus(): CorpusCase[] {
  return readdirSync(join(CORPUS_DIR, 'logs'))
    .filter((name) => name.endsWith('.log'))
    .sort()
    .flatMap((name) => {
      const base = name.replace(/\.log$/, '');
      const lines = readFileSync(join(CORPUS_DIR, 'logs', name), 'utf8')
        .replace(/\n$/, '')
        .split('\n');
      const expected = JSON.parse(
        readFileSync(join(CORPUS_DIR, 'expected', `${base}.json`), 'utf8'),
      ) as CorpusCase['expected'][];
      return lines.map((text, index) => ({
        file: base,
        line: index + 1,
        text,
        expected: expected[index] ?? {},
      }));
    });
}
