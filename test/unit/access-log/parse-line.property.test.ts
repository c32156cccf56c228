import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { record, token, truncateTo } from '../../helpers/access-log-arbitraries.ts';
import {
  formatAccessLogRecord,
  parseLine,
  parseLogStream,
} from '../../../shared/access-log/index.ts';

describe('parseLine properties', () => {
  it('parses every formatted record back identical, for 17 to 27 fields and extra ones', () => {
    fc.assert(
      fc.property(
        record,
        fc.integer({ min: 17, max: 27 }),
        fc.array(token, { maxLength: 3 }),
        (value, fieldCount, extras) => {
          const expected = truncateTo(value, fieldCount, extras);
          const line = formatAccessLogRecord(expected, { fieldCount });
          const result = parseLine(line);
          expect(result).toEqual({
            ok: true,
            fieldCount: fieldCount + expected.extraFields.length,
            record: expected,
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws and gives one result per line for arbitrary input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 20 }),
        async (lines) => {
          for (const line of lines) expect(() => parseLine(line)).not.toThrow();
          const text = lines.join('\n');
          const results = [];
          for await (const parsed of parseLogStream([Buffer.from(text)])) results.push(parsed);
          const nonEmpty = text
            .split('\n')
            .map((l) => l.replace(/\r$/, ''))
            .filter((l) => l !== '').length;
          expect(results).toHaveLength(nonEmpty);
        },
      ),
      { numRuns: 500 },
    );
  });
});
