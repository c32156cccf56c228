import { availableParallelism } from 'node:os';
import { decompressIfGzip, isGzipFile } from '../../shared/access-log/decompress.ts';
import { readLines, tapChunks } from '../../shared/access-log/index.ts';
import { addCounters, COUNTER_NAMES, emptyCounters } from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { aggregateFiles } from '../aggregate-files.ts';
import { aggregateInThreads } from '../aggregate-in-threads.ts';
import { type Input, resolveInputs } from '../inputs.ts';
import { LogCounter, type LogTotals } from '../log-totals.ts';
import { mebibytes, ProgressLine } from '../progress-line.ts';
import { checkSignerArns, SIGNER_OPTION } from '../signer-option.ts';

// Parentheses cannot appear in a customer id, so this row never collides with a customer.
const UNTRACKED = '(untracked)';
/**
 * Below this, starting threads costs more than they save: two threads overtake one from
 * about 128 MiB on two cores (each thread starts and warms up on its own).
 */
const THREADS_FROM_BYTES = 128 * 1024 * 1024;

const USAGE = `Usage: usage-meter aggregate [--json | --csv] [--signer <arn>]... [--threads <n>] FILE... (- reads stdin)

Adds up S3 server access logs per customer with the metering rules of the meter-logs Lambda:
downloads (GET object 200/206, Bytes Sent), uploads (PUT/POST object, upload part: Object
Size), error requests (status >= 400) and other requests, for authenticated presigned SigV4
requests that carry one signed x-customer-id (and form uploads under uploads/<customer>/);
everything else is '${UNTRACKED}', with its reason.

With no table at hand, every well-formed customer id counts as a customer. The Requester is
checked against the signers given; without --signer any authenticated requester is taken
(and a note says so on stderr), where the Lambda bills only the stack's own signers.

Options:
  --json           one JSON object: {"customers": {...}, "untracked": {...},
                   "untrackedByReason": {...}, "rejectedLines": N, ...}
  --csv            one row per customer, then the ${UNTRACKED} row
  --signer <arn>   the stack's signer identity (repeatable), as in SIGNER_ARNS
  --threads <n>    threads reading uncompressed files (default: one per core, up to 4,
                   for 128 MiB or more; they share the files out in pieces)
  (default: a table, then the count of rejected lines)`;

export const aggregateCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { format, paths, signers, threads } = parseAggregateArgs(args);
    const inputs = await resolveInputs(paths, io.stdin);
    if (signers.length === 0) {
      io.stderr.write('note: no --signer given, so any authenticated requester is taken\n');
    }
    const progress = new ProgressLine(io.stderr);
    const total = inputs.reduce((sum, input) => sum + (input.size ?? 0), 0);
    let shown = '';
    const onProgress = (read: number, lines: number) => {
      shown = `read ${mebibytes(read)}${total > 0 ? ` of ${mebibytes(total)}` : ''}, ${lines} lines`;
      progress.update(shown);
    };
    const files = plainFiles(inputs);
    const threadCount = threads ?? (total >= THREADS_FROM_BYTES ? defaultThreads() : 1);
    const totals =
      files === undefined
        ? await aggregateStreams(inputs, signers, onProgress)
        : threadCount > 1
          ? await aggregateInThreads(files, signers, threadCount, onProgress)
          : (await aggregateFiles({ paths: files, signers }, onProgress)).totals;
    progress.update(shown, true);
    progress.break();
    const customers = [...totals.customers].sort(([a], [b]) => (a < b ? -1 : 1));
    const untracked = [...totals.untracked.values()].reduce(addCounters, emptyCounters());
    if (format === 'json') {
      io.stdout.write(
        `${JSON.stringify(
          {
            customers: Object.fromEntries(customers),
            untracked,
            untrackedByReason: Object.fromEntries(totals.untracked),
            rejectedLines: totals.rejected,
            duplicateRecords: totals.duplicates,
            records: totals.records,
            rejectionSamples: totals.samples.map(({ input, line, reason }) => ({
              file: inputs[input]?.name,
              line,
              reason,
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else if (format === 'csv') {
      const rows = [['customer', ...COUNTER_NAMES].join(',')];
      for (const [id, counters] of [...customers, [UNTRACKED, untracked] as const]) {
        rows.push([id, ...COUNTER_NAMES.map((name) => counters[name])].join(','));
      }
      io.stdout.write(`${rows.join('\n')}\n`);
    } else {
      const rows = [...customers, [UNTRACKED, untracked] as const].map(([id, counters]) => [
        id,
        ...COUNTER_NAMES.map((n) => String(counters[n])),
      ]);
      io.stdout.write(formatTable(['customer', ...COUNTER_NAMES], rows));
      io.stdout.write(`records: ${totals.records}, rejected lines: ${totals.rejected}\n`);
    }
    return 0;
  },
};

/** Reads the inputs as streams: stdin, or gzip files. */
async function aggregateStreams(
  inputs: Input[],
  signers: string[],
  onProgress: (read: number, lines: number) => void,
): Promise<LogTotals> {
  const counter = new LogCounter(signers, onProgress);
  try {
    for (const [index, input] of inputs.entries()) {
      const source = tapChunks(input.open(), (chunk) => counter.read(chunk.length));
      for await (const line of readLines(decompressIfGzip(source))) counter.add(line);
      counter.endInput(index);
    }
    return await counter.totals();
  } finally {
    counter.discard();
  }
}

/** The inputs' paths when all are files other threads can read as text; else undefined. */
function plainFiles(inputs: Input[]): string[] | undefined {
  const paths = inputs.map((input) => input.path);
  return paths.every((path) => path !== undefined && !isGzipFile(path))
    ? (paths as string[])
    : undefined;
}

/** One thread per core, up to four: each thread's heap adds to the process's memory. */
function defaultThreads(): number {
  return Math.min(availableParallelism(), 4);
}

function parseAggregateArgs(args: string[]): {
  format: 'json' | 'csv' | 'table';
  paths: string[];
  signers: string[];
  threads: number | undefined;
} {
  const parsed = parseCommandArgs({
    args,
    options: {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      ...SIGNER_OPTION,
      threads: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (parsed.values.json && parsed.values.csv)
    throw new UsageError('choose one of --json and --csv');
  const signers = parsed.values.signer ?? [];
  checkSignerArns(signers);
  const format = parsed.values.json ? 'json' : parsed.values.csv ? 'csv' : 'table';
  const threads = parsed.values.threads;
  if (threads !== undefined && !/^([1-9]|[12][0-9]|3[0-2])$/.test(threads)) {
    throw new UsageError(`--threads must be a whole number from 1 to 32; got ${threads}`);
  }
  return {
    format,
    paths: parsed.positionals,
    signers,
    threads: threads === undefined ? undefined : Number(threads),
  };
}
