import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { record, truncateTo } from '../../helpers/access-log-arbitraries.ts';
import { readCorpus } from '../../helpers/corpus.ts';
import { formatAccessLogRecord, parseLine } from '../../../shared/access-log/index.ts';
import { isoSeconds } from '../../../shared/access-log/log-time.ts';
import {
  AuthType,
  MeteringFields,
  scanMeteringFields,
} from '../../../shared/access-log/metering-fields.ts';

const AUTH_TYPES = {
  [AuthType.None]: null,
  [AuthType.AuthHeader]: 'AuthHeader',
  [AuthType.QueryString]: 'QueryString',
};

/** What the fast path read, in the record's terms; null when it rejected the line. */
function fastView(line: string) {
  const fields = new MeteringFields();
  if (!scanMeteringFields(line, fields)) return null;
  return {
    time: Number.isNaN(fields.time) ? null : isoSeconds(fields.time),
    requester:
      fields.requesterWithSpaces ?? fields.text(fields.requesterStart, fields.requesterEnd),
    requestId: fields.text(fields.requestIdStart, fields.requestIdEnd),
    operation: fields.text(fields.operationStart, fields.operationEnd),
    key: fields.text(fields.keyStart, fields.keyEnd),
    requestUri: fields.text(fields.requestUriStart, fields.requestUriEnd),
    httpStatus: fields.httpStatus === -1 ? null : fields.httpStatus,
    errorCode: fields.text(fields.errorCodeStart, fields.errorCodeEnd),
    bytesSent: fields.bytesSent === -1 ? null : fields.bytesSent,
    objectSize: fields.objectSize === -1 ? null : fields.objectSize,
    signatureVersion: fields.signatureVersion === -1 ? null : `SigV${fields.signatureVersion}`,
    authType: AUTH_TYPES[fields.authType],
  };
}

/** The same fields as the full parser reads them; null when it rejects the line. */
function referenceView(line: string) {
  const result = parseLine(line);
  if (!result.ok) return null;
  const r = result.record;
  return {
    time: r.time,
    requester: r.requester,
    requestId: r.requestId,
    operation: r.operation,
    key: r.key,
    requestUri: r.requestUri,
    httpStatus: r.httpStatus,
    errorCode: r.errorCode,
    bytesSent: r.bytesSent,
    objectSize: r.objectSize,
    signatureVersion: r.signatureVersion,
    authType: r.authType,
  };
}

// Edits that break lines the ways logs break: truncation, lost or doubled spaces, stray
// quotes, brackets and dashes, a digit where a letter was, a field cut in two.
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'insert', 'truncate', 'replace'),
  text: fc.constantFrom(
    ' ',
    '  ',
    '"',
    '" ',
    ' "',
    '-',
    ' - ',
    '[',
    ']',
    '9',
    'x',
    '%',
    ' 200 ',
    'SigV4',
    'QueryString',
    '+0100]',
  ),
});
function applyEdits(
  line: string,
  edits: Array<{ at: number; kind: string; text: string }>,
): string {
  let text = line;
  for (const { at, kind, text: piece } of edits) {
    const i = text.length === 0 ? 0 : at % text.length;
    if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1);
    else if (kind === 'insert') text = text.slice(0, i) + piece + text.slice(i);
    else if (kind === 'truncate') text = text.slice(0, i);
    else text = text.slice(0, i) + piece + text.slice(i + piece.length);
  }
  return text;
}

const formattedLine = fc
  .tuple(record, fc.integer({ min: 17, max: 27 }))
  .map(([value, fieldCount]) =>
    formatAccessLogRecord(truncateTo(value, fieldCount, []), { fieldCount }),
  );

describe('the metering fast path agrees with parseLine', () => {
  it('on every well-formed line of 17 to 27 fields', () => {
    fc.assert(
      fc.property(formattedLine, (line) => {
        const fast = fastView(line);
        expect(fast).not.toBeNull();
        expect(fast).toEqual(referenceView(line));
      }),
      { numRuns: 3000 },
    );
  });

  it('on damaged lines: the same lines rejected, the same values read from the rest', () => {
    fc.assert(
      fc.property(formattedLine, fc.array(edit, { minLength: 1, maxLength: 4 }), (line, edits) => {
        const damaged = applyEdits(line, edits);
        expect(fastView(damaged)).toEqual(referenceView(damaged));
      }),
      { numRuns: 5000 },
    );
  });

  it('on arbitrary text, including odd time zones and spaces', () => {
    const unit = fc.constantFrom(
      ' ',
      '"',
      '-',
      '[',
      ']',
      '0',
      '1',
      '2',
      '9',
      '/',
      ':',
      '+',
      'A',
      'S',
      'Q',
      'a',
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 120 }),
        (a, b) => {
          for (const line of [a, b, `${a} ${b}`])
            expect(fastView(line)).toEqual(referenceView(line));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on every corpus line, rejections included', () => {
    const corpus = readCorpus();
    let rejected = 0;
    for (const { file, line, text } of corpus) {
      const reference = referenceView(text);
      if (reference === null) rejected++;
      expect(fastView(text), `${file}:${line}`).toEqual(reference);
    }
    // The corpus holds both kinds: the comparison covers accepted and rejected lines.
    expect(rejected).toBeGreaterThan(0);
    expect(corpus.length - rejected).toBeGreaterThan(40);
  });

  it('reads times in any offset, leap days and the edges of the calendar as parseLine does', () => {
    const times = fc.record({
      day: fc.integer({ min: 0, max: 32 }),
      month: fc.constantFrom('Jan', 'Feb', 'Mar', 'Dec', 'Foo'),
      year: fc.integer({ min: 0, max: 9999 }),
      hour: fc.integer({ min: 0, max: 24 }),
      sign: fc.constantFrom('+', '-'),
      offset: fc.integer({ min: 0, max: 1500 }),
    });
    fc.assert(
      fc.property(times, ({ day, month, year, hour, sign, offset }) => {
        const pad = (n: number, width: number) => String(n).padStart(width, '0');
        const line = `owner bucket [${pad(day, 2)}/${month}/${pad(year, 4)}:${pad(hour, 2)}:59:59 ${sign}${pad(offset, 4)}] 10.0.0.1 - REQ REST.GET.OBJECT k "GET /k HTTP/1.1" 200 - 1 1 1 1 "-" "-"`;
        expect(fastView(line)).toEqual(referenceView(line));
      }),
      { numRuns: 3000 },
    );
  });
});
