import { parseLogStream } from '../../shared/access-log/index.ts';
import { COUNTER_NAMES, UsageAggregator, type UsageCounters } from '../../shared/usage/index.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { resolveInputs } from '../inputs.ts';

// Parentheses cannot appear in a customer id, so this row never collides with a customer.
const UNTRACKED = '(untracked)';

const USAGE = `Usage: usage-meter aggregate [--json | --csv] FILE... (- reads stdin)

Adds up S3 server access logs per customer with the metering rules of the meter-logs Lambda:
downloads (GET object 200/206, Bytes Sent), uploads (PUT/POST object, upload part: Object
Size), error requests (status >= 400) and other requests, for requests whose presigned URL
carries a signed x-customer-id; everything else is '${UNTRACKED}'.

Options:
  --json   one JSON object: {"customers": {...}, "untracked": {...}, "rejectedLines": N, ...}
  --csv    one row per customer, then the ${UNTRACKED} row
  (default: a table, then the count of rejected lines)`;

export const aggregateCommand: Command = {
  name: 'aggregate',
  summary: 'per-customer download/upload totals of access log files',
  usage: USAGE,
  async run(args, io) {
    const { format, paths } = parseAggregateArgs(args);
    const inputs = await resolveInputs(paths, io.stdin);
    const usage = new UsageAggregator();
    for (const input of inputs) {
      for await (const { number, result } of parseLogStream(input.open())) {
        if (result.ok) usage.add(result.record, number);
        else usage.reject(number, result.reason);
      }
    }
    const customers = [...usage.totalsByCustomer()].sort(([a], [b]) => (a < b ? -1 : 1));
    const untracked = usage.untrackedTotal();
    if (format === 'json') {
      io.stdout.write(
        `${JSON.stringify(
          {
            customers: Object.fromEntries(customers),
            untracked,
            rejectedLines: usage.rejected,
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
      io.stdout.write(`${formatTable([...customers, [UNTRACKED, untracked]])}\n`);
      io.stdout.write(`records: ${usage.records}, rejected lines: ${usage.rejected}\n`);
    }
    return 0;
  },
};

function parseAggregateArgs(args: string[]): { format: 'json' | 'csv' | 'table'; paths: string[] } {
  const parsed = parseCommandArgs({
    args,
    options: { json: { type: 'boolean' }, csv: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (parsed.values.json && parsed.values.csv)
    throw new UsageError('choose one of --json and --csv');
  const format = parsed.values.json ? 'json' : parsed.values.csv ? 'csv' : 'table';
  return { format, paths: parsed.positionals };
}

function formatTable(rows: Array<readonly [string, UsageCounters]>): string {
  const header = ['customer', ...COUNTER_NAMES];
  const cells = rows.map(([id, counters]) => [
    id,
    ...COUNTER_NAMES.map((n) => String(counters[n])),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}
