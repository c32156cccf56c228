/** Bytes per unit: decimal (kB, MB, …, as S3's prices) and binary (KiB, MiB, …). */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * A size such as `500GB`, `1.5TiB` or `1048576` (bytes), as a whole number of bytes;
 * undefined when it is not one (an unknown unit, or a fraction of a byte).
 */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const unit = UNITS[(match[2] ?? '').toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const [whole = '', fraction = ''] = (match[1] as string).split('.');
  // Exact: 1.1 GB is 1100000000 bytes, and a fraction of a byte is no size.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(unit);
  if (scaled % scale !== 0n) return undefined;
  const bytes = scaled / scale;
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : undefined;
}
