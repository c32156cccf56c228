import { decompressIfGzip } from '../../shared/access-log/decompress.ts';
import { readLines, tapChunks } from '../../shared/access-log/index.ts';
import {
  createOfflineAttributionRules,
  isSignerArn,
} from '../../shared/usage/attribution-rules.ts';
import { COUNTER_NAMES, UsageAggregator } from '../../shared/usage/index.ts';
import { addCounters, emptyCounters } from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { resolveInputs } from '../inputs.ts';
import { mebibytes, ProgressLine } from '../progress-line.ts';

// Parentheses cannot appear in a customer id, so this row never collides with a customer.
const UNTRACKED = '(untracked)';

const USAGE = `Usage: usage-meter aggregate [--json | --csv] [--signer <arn>]... FILE... (- reads stdin)

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
  (default: a table, then the count of rejected lines)`;

export const aggregateCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { format, paths, signers } = parseAggregateArgs(args);
    const inputs = await resolveInputs(paths, io.stdin);
    if (signers.length === 0) {
      io.stderr.write('note: no --signer given, so any authenticated requester is taken\n');
    }
    const usage = new UsageAggregator(createOfflineAttributionRules(signers));
    const progress = new ProgressLine(io.stderr);
    const total = inputs.reduce((sum, input) => sum + (input.size ?? 0), 0);
    let read = 0;
    let lines = 0;
    const show = () =>
      `read ${mebibytes(read)}${total > 0 ? ` of ${mebibytes(total)}` : ''}, ${lines} lines`;
    let totals: Awaited<ReturnType<UsageAggregator['totals']>>;
    try {
      for (const input of inputs) {
        const source = tapChunks(input.open(), (chunk) => (read += chunk.length));
        for await (const line of readLines(decompressIfGzip(source))) {
          usage.add(line);
          if (++lines % 10_000 === 0) progress.update(show());
        }
      }
      totals = await usage.totals();
    } finally {
      usage.discard();
    }
    progress.update(show(), true);
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
            rejectedLines: usage.rejected,
            duplicateRecords: usage.duplicates,
            records: usage.records,
            rejectionSamples: usage.samples,
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
      io.stdout.write(`records: ${usage.records}, rejected lines: ${usage.rejected}\n`);
    }
    return 0;
  },
};

function parseAggregateArgs(args: string[]): {
  format: 'json' | 'csv' | 'table';
  paths: string[];
  signers: string[];
} {
  const parsed = parseCommandArgs({
    args,
    options: {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      signer: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: true,
  });
  if (parsed.values.json && parsed.values.csv)
    throw new UsageError('choose one of --json and --csv');
  const signers = parsed.values.signer ?? [];
  const bad = signers.filter((arn) => !isSignerArn(arn));
  if (bad.length > 0) {
    throw new UsageError(`--signer must be a role or user ARN; got ${bad.join(', ')}`);
  }
  const format = parsed.values.json ? 'json' : parsed.values.csv ? 'csv' : 'table';
  return { format, paths: parsed.positionals, signers };
}
