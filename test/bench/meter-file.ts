// Child process of the parser benchmark: meters `bytes` of a log file (read `repeat` times
// over when `bytes` exceeds it) and prints its peak memory, so that peak memory can be
// compared between input sizes in fresh processes.
import { createReadStream, statSync } from 'node:fs';
import { readLines } from '../../shared/access-log/index.ts';
import { UsageAggregator } from '../../shared/usage/index.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';

// The generated log is signed by the stack's link API role, as a deployed stack's would be.
const rules = createOfflineAttributionRules([SIGNER_ROLE]);

const [file = '', bytesArg = '0'] = process.argv.slice(2);
const wanted = Number(bytesArg);
const size = statSync(file).size;

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (let left = wanted; left > 0; left -= size) {
    yield* createReadStream(file, { end: Math.min(left, size) - 1, highWaterMark: 1 << 20 });
  }
}

const usage = new UsageAggregator(rules);
const started = performance.now();
for await (const line of readLines(chunks())) usage.add(line);
let links = 0;
for await (const _ of usage.linkUsage()) links++;
usage.discard();
process.stdout.write(
  `${JSON.stringify({
    bytes: wanted,
    records: usage.records,
    links,
    seconds: (performance.now() - started) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
