import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAt, lastQuoteFrom } from '../../../shared/access-log/line-grammar.ts';

describe('isAt', () => {
  it('is startsWith at an offset inside the text, and false outside it', () => {
    expect(isAt('GET /a HTTP/1.1', 6, ' HTTP/1.1')).toBe(true);
    expect(isAt('GET /a HTTP/1.1', 5, ' HTTP/1.1')).toBe(false);
    expect(isAt('SigV4', 0, 'SigV4x')).toBe(false);
    expect(isAt('abc', 3, '')).toBe(true);
    expect(isAt('abc', 2, 'cd')).toBe(false);
    // startsWith clamps a negative offset to 0; a field before the line is never there.
    expect(isAt('abc', -1, 'a')).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 4 }), fc.nat(40), (text, value, at) => {
        // Within the text; past its end startsWith would clamp too.
        const within = Math.min(at, text.length);
        expect(isAt(text, within, value)).toBe(text.startsWith(value, within));
      }),
    );
  });
});

describe('lastQuoteFrom', () => {
  it("is the line's last quote when one is at or after `from`, else -1", () => {
    expect(lastQuoteFrom('"a" "b c" d', 0)).toBe(8);
    expect(lastQuoteFrom('"a" "b c" d', 8)).toBe(8);
    expect(lastQuoteFrom('"a" "b c" d', 9)).toBe(-1);
    expect(lastQuoteFrom('no quotes', 0)).toBe(-1);
    fc.assert(
      fc.property(fc.stringMatching(/^[a" ]{0,30}$/), fc.nat(32), (line, from) => {
        const last = line.lastIndexOf('"');
        expect(lastQuoteFrom(line, from)).toBe(last >= from ? last : -1);
      }),
    );
  });
});
