// npm run bench: how long a `usage-meter` command takes, whole process, against bare `node`
// measured in this run: `--help`, and `report --local` against a stack `dev` runs here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDev, THROWAWAY_STACK } from '../helpers/dev-process.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'usage-meter.js');
const RUNS = 15;

/** Median wall time of RUNS whole processes of `node <args>`, in seconds; each must exit 0. */
function median(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env: { ...process.env, ...env } });
    times.push((performance.now() - started) / 1000);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')}: ${result.stderr.toString()}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? Number.NaN;
}

const line = (what: string, seconds: number, baseline: number, target: number): string =>
  `${what}: ${seconds.toFixed(3)} s median (target ${target} s), ${(seconds / baseline).toFixed(1)}x bare node`;

const runtimeDir = mkdtempSync(join(tmpdir(), 'usage-meter-bench-'));
const env = { USAGE_METER_RUNTIME_DIR: runtimeDir };
const dev = await startDev([...THROWAWAY_STACK], env);
try {
  // The first run builds the CLI if its sources changed; the medians are of a user's later runs.
  median([BIN, '--help']);
  const bare = median(['-e', '0']);
  const help = median([BIN, '--help']);
  const report = median([BIN, 'report', '--local'], env);
  console.log(`CLI start, ${RUNS} runs each: bare node ${bare.toFixed(3)} s median`);
  console.log(line('usage-meter --help', help, bare, 0.25));
  console.log(line('usage-meter report --local', report, bare, 0.6));
} finally {
  dev.process.kill('SIGINT');
  await dev.exited();
  rmSync(runtimeDir, { recursive: true, force: true });
}
