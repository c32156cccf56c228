import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import {
  addCounters,
  COUNTER_NAMES,
  emptyCounters,
  type UsageCounters,
} from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { readPeriodOption } from '../period-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter report [--period 2026-11|2026-11-22] [--customer <id>] [--format table|json|csv]

The per-customer totals of a UTC month or day, as the billing system reads them (one Query
of the table's index), and the untracked totals with the reason nobody was billed
(docs/attribution.md). The period defaults to the current UTC month.

${TARGET_USAGE}`;

const FORMATS = ['table', 'json', 'csv'] as const;

export const reportCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        period: { type: 'string' },
        customer: { type: 'string' },
        format: { type: 'string', default: 'table' },
      },
    });
    const period = readPeriodOption(values.period);
    const format = FORMATS.find((f) => f === values.format);
    if (format === undefined) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const store = new DynamoDbUsageStore(target.documents, target.tableName());
      let rows: Array<[string, UsageCounters]>;
      if (values.customer === undefined) {
        rows = (await store.listTotals(period)).map(({ customerId, period: _, ...counters }) => [
          customerId,
          counters,
        ]);
      } else {
        const totals = await store.getTotals(
          { kind: 'customer', customerId: values.customer },
          period,
        );
        rows = totals === undefined ? [] : [[values.customer, totals]];
      }
      rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const untracked: Map<string, UsageCounters> =
        values.customer === undefined
          ? await store.listUntrackedTotals(period)
          : new Map<string, UsageCounters>();
      if (format === 'json') {
        const customers = rows.map(([customerId, counters]) => ({ customerId, ...counters }));
        const total = emptyCounters();
        for (const counters of untracked.values()) addCounters(total, counters);
        const untrackedFields =
          untracked.size === 0
            ? {}
            : { untracked: total, untrackedByReason: Object.fromEntries(untracked) };
        io.stdout.write(
          `${JSON.stringify({ period: period.value, customers, ...untrackedFields }, null, 2)}\n`,
        );
        return 0;
      }
      const all: Array<readonly [string, UsageCounters]> = [
        ...rows,
        ...[...untracked].map(
          ([reason, counters]) => [`(untracked: ${reason})`, counters] as const,
        ),
      ];
      if (all.length === 0 && format === 'table') {
        io.stdout.write(`no usage in ${period.value}: nothing has been metered for it yet\n`);
        return 0;
      }
      const cells = all.map(([id, counters]) => [
        id,
        ...COUNTER_NAMES.map((n) => String(counters[n])),
      ]);
      io.stdout.write(
        format === 'csv'
          ? [['customerId', ...COUNTER_NAMES], ...cells]
              .map((row) => row.join(','))
              .join('\n')
              .concat('\n')
          : formatTable(['CUSTOMER', ...COUNTER_NAMES], cells),
      );
      return 0;
    } finally {
      target.close();
    }
  },
};
