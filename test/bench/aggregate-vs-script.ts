// npm run bench: `usage-meter aggregate` against the script a user would write instead
// (test/bench/regex-script.mjs: readline + AWS's Athena regex, sums per x-customer-id), each
// as a whole process on the same generated file in the same run, for speed and peak memory;
// then the fast path's totals against the full parser's on that file. (Peak memory at
// 100 MiB and 1 GiB: the metering benchmark, meter-logs.ts.)
//
// Any other log can be measured the same way, with the role that signs its links:
//   node --import tsx test/bench/aggregate-vs-script.ts FILE --signer ARN
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createReadStream } from 'node:fs';
import { parseLine, readLines } from '../../shared/access-log/index.ts';
import { attributeRequest } from '../../shared/usage/attribute-request.ts';
import { createOfflineAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { addCounters, emptyCounters, type UsageCounters } from '../../shared/usage/index.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { ensureBenchLog } from './generate-access-log.ts';

const MiB = 1024 * 1024;
const ROOT = resolve(import.meta.dirname, '..', '..');
const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { signer: { type: 'string', default: SIGNER_ROLE } },
});
if (positionals.length > 1) throw new Error('usage: aggregate-vs-script.ts [FILE] [--signer ARN]');
const given = positionals[0];
const signer = options.signer;
const file =
  given === undefined
    ? await ensureBenchLog(join(ROOT, '.cache', 'bench', 'presigned-520mb-v4.log'), 520 * MiB)
    : resolve(given);
const size = statSync(file).size;
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  console.log(`skipped: whole-process peak memory needs ${TIME} (Debian package "time")`);
  process.exit(0);
}

/** Runs a command to the end; its wall time, peak resident memory and standard output. */
function measure(args: string[]): { seconds: number; maxRssMiB: number; stdout: string } {
  const run = spawnSync(TIME, ['-f', '%e %M', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  const [seconds, kib] = (run.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { seconds: seconds as number, maxRssMiB: (kib as number) / 1024, stdout: run.stdout };
}

const script = ['test/bench/regex-script.mjs', file];
const aggregate = ['bin/usage-meter.js', 'aggregate', '--json', '--signer', signer, file];
const oneThread = [...aggregate.slice(0, 3), '--threads', '1', ...aggregate.slice(3)];
// The CLI builds itself on its first run after a change: not part of what is measured.
execFileSync(process.execPath, ['bin/usage-meter.js', '--help'], { cwd: ROOT, stdio: 'ignore' });
process.chdir(ROOT);
const runs = {
  script: [] as ReturnType<typeof measure>[],
  aggregate: [] as ReturnType<typeof measure>[],
  oneThread: [] as ReturnType<typeof measure>[],
};
for (let round = 0; round < 3; round++) {
  runs.script.push(measure(script));
  runs.aggregate.push(measure(aggregate));
  runs.oneThread.push(measure(oneThread));
}
const best = (list: ReturnType<typeof measure>[]) =>
  list.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const peak = (list: ReturnType<typeof measure>[]) => Math.max(...list.map((r) => r.maxRssMiB));
const theirs = best(runs.script);
const lines = (JSON.parse(theirs.stdout) as { lines: number }).lines;
console.log(
  `input: ${(size / MiB).toFixed(0)} MiB ${given === undefined ? 'generated presigned traffic' : 'of log'}, ${lines.toLocaleString('en')} lines (${file})`,
);
console.log(
  `whole process, best of 3 (peak memory: the highest of the 3), ${availableParallelism()} cores:`,
);
const contestants = [
  ['regex script (baseline)', runs.script],
  ['usage-meter aggregate', runs.aggregate],
  ['  … with --threads 1', runs.oneThread],
] as const;
for (const [name, list] of contestants) {
  const run = best(list);
  console.log(
    `  ${name.padEnd(24)} ${run.seconds.toFixed(2).padStart(6)} s ${(size / MiB / run.seconds).toFixed(0).padStart(5)} MiB/s  peak ${peak(list).toFixed(0).padStart(4)} MiB`,
  );
}
for (const [name, list] of contestants.slice(1)) {
  console.log(
    `${name.trim()}: speed ${(theirs.seconds / best(list).seconds).toFixed(2)}× the script (target ≥ 1.50×); peak memory ${(peak(list) / peak(runs.script)).toFixed(2)}× the script's (target ≤ 2.00×)`,
  );
}
const ours = best(runs.aggregate);
if (best(runs.oneThread).stdout !== ours.stdout) {
  console.log('totals: --threads 1 DIFFERS from the default');
}

// The same bytes per customer as the script, and every counter as the full parser gives it.
interface AggregateOutput {
  customers: Record<string, UsageCounters>;
  untrackedByReason: Record<string, UsageCounters>;
  records: number;
  rejectedLines: number;
}
const output = JSON.parse(ours.stdout) as AggregateOutput;
const scriptBytes = (JSON.parse(theirs.stdout) as { downloadBytes: Record<string, number> })
  .downloadBytes;
const sameAsScript = Object.entries(scriptBytes).every(
  ([customer, bytes]) => output.customers[customer]?.downloadBytes === bytes,
);
const reference = await referenceTotals(file);
const sameAsParser =
  JSON.stringify(sortKeys(reference)) ===
  JSON.stringify(sortKeys({ ...output.customers, ...prefixed(output.untrackedByReason) }));
console.log(
  `totals: download bytes per customer ${sameAsScript ? 'equal' : 'DIFFER from'} the script's; every counter of every account ${sameAsParser ? 'equals' : 'DIFFERS from'} the full parser's (parseLine + attributeRequest)`,
);

/** Every account's totals by the reference path: parseLine, then attributeRequest. */
async function referenceTotals(path: string): Promise<Record<string, UsageCounters>> {
  const rules = createOfflineAttributionRules([signer]);
  const totals: Record<string, UsageCounters> = {};
  for await (const line of readLines(createReadStream(path, { highWaterMark: MiB }))) {
    if (!('text' in line)) continue;
    const result = parseLine(line.text);
    const attribution = result.ok ? attributeRequest(result.record, rules) : undefined;
    if (attribution === undefined) continue;
    const account = attribution.customerId ?? `untracked:${attribution.untracked}`;
    totals[account] = addCounters(totals[account] ?? emptyCounters(), attribution.counters);
  }
  return totals;
}

function prefixed(byReason: Record<string, UsageCounters>): Record<string, UsageCounters> {
  return Object.fromEntries(Object.entries(byReason).map(([k, v]) => [`untracked:${k}`, v]));
}

function sortKeys<T>(record: Record<string, T>): Array<[string, T]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
}
