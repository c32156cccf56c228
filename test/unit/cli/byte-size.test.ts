import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../../cli/byte-size.ts';

describe('parseByteSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['500GB', 500_000_000_000],
    ['500 gb', 500_000_000_000],
    ['1.5TiB', 1_649_267_441_664],
    ['1.1GB', 1_100_000_000],
    ['12 MiB', 12_582_912],
    ['0.5KiB', 512],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'GB', 'abc', '1e9', '5XB', '-5GB', '0.5', '0.3B', '1.0000000001kB', '9PiB'])(
    'refuses %j (not a whole number of bytes below 2^53)',
    (text) => {
      expect(parseByteSize(text)).toBeUndefined();
    },
  );
});
