/**
 * Prints the size of each function's package after `serverless package`, and what the code
 * and its source map take of it, against the 300 KB target. Run by `npm run package`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TARGET_BYTES = 300 * 1024;
const dir = process.argv[2] ?? '.serverless';

interface Entry {
  name: string;
  compressed: number;
  size: number;
}

/** The entries of a zip file, from its central directory. */
function zipEntries(zip: Buffer): Entry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end === -1) throw new Error('not a zip file');
  const entries: Entry[] = [];
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      compressed: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.zip'))
  .sort()) {
  const zip = readFileSync(join(dir, file));
  const parts = zipEntries(zip).map(
    (e) => `${e.name.split('/').at(-1)} ${kb(e.size)} → ${kb(e.compressed)}`,
  );
  const verdict = zip.length <= TARGET_BYTES ? 'within' : 'over';
  console.log(
    `${file.padEnd(16)} ${kb(zip.length).padStart(7)} (${verdict} the ${kb(TARGET_BYTES)} target): ${parts.join(', ')}`,
  );
}
