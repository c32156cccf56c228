import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { Period } from '../../shared/usage/period.ts';
import {
  type PeriodUsage,
  readLateAdjustments,
  readPeriodUsage,
  type SettleClock,
} from '../../shared/usage/period-usage.ts';
import { settlementOf } from '../../shared/usage/settlement.ts';
import {
  COUNTER_NAMES,
  emptyCounters,
  type UsageCounters,
} from '../../shared/usage/usage-counters.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { readPeriodOption } from '../period-option.ts';
import {
  readSettleWindowOption,
  SETTLE_WINDOW_OPTION,
  SETTLE_WINDOW_USAGE,
} from '../settle-window-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter report [--period 2026-11|2026-11-22] [--customer <id>] [--format table|json|csv] [--settle-window <hours>]

The per-customer totals of a UTC month or day, as the billing system reads them (one Query
of the table's index), and the untracked totals with the reason nobody was billed
(docs/attribution.md). The period defaults to the current UTC month.

It says whether the period is open (its usage may still grow: S3 delivers logs late) or
settled, and lists the late adjustments: what was metered for a settled period after it
settled, already in the totals (docs/billing.md).

${SETTLE_WINDOW_USAGE}
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
        ...SETTLE_WINDOW_OPTION,
      },
    });
    const period = readPeriodOption(values.period);
    const clock: SettleClock = {
      now: new Date(),
      settleWindowHours: readSettleWindowOption(values['settle-window'], process.env),
    };
    const format = FORMATS.find((f) => f === values.format);
    if (format === undefined) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const store = new DynamoDbUsageStore(target.documents, target.tableName());
      const usage =
        values.customer === undefined
          ? await readPeriodUsage(store, period, clock)
          : await oneCustomersUsage(store, values.customer, period, clock);
      const { settlement, lateAdjustments } = usage;
      if (format === 'json') {
        const untrackedFields =
          usage.untrackedByReason.size === 0
            ? {}
            : {
                untracked: usage.untracked,
                untrackedByReason: Object.fromEntries(usage.untrackedByReason),
              };
        io.stdout.write(
          `${JSON.stringify(
            {
              period: period.value,
              ...settlement,
              customers: usage.customers,
              ...untrackedFields,
              lateAdjustments,
            },
            null,
            2,
          )}\n`,
        );
        return 0;
      }
      const all: Array<readonly [string, UsageCounters]> = [
        ...usage.customers.map((totals) => [totals.customerId, totals] as const),
        ...[...usage.untrackedByReason].map(
          ([reason, counters]) => [`(untracked: ${reason})`, counters] as const,
        ),
      ];
      if (format === 'table') io.stdout.write(`${describeSettlement(period, usage)}\n`);
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
      if (format === 'table' && lateAdjustments.length > 0) {
        io.stdout.write(
          `\nlate adjustments: metered after ${period.value} settled (in the totals above)\n`,
        );
        io.stdout.write(
          formatTable(
            ['CUSTOMER', 'DAY', 'APPLIED AT', 'LOG OBJECT', ...COUNTER_NAMES],
            lateAdjustments.map((late) => [
              late.customerId,
              late.day,
              late.appliedAt,
              late.logObject,
              ...COUNTER_NAMES.map((n) => String(late[n])),
            ]),
          ),
        );
      }
      return 0;
    } finally {
      target.close();
    }
  },
};

/** One customer's usage of a period, in the shape of a whole period's (nothing untracked). */
async function oneCustomersUsage(
  store: UsageStore,
  customerId: string,
  period: Period,
  clock: SettleClock,
): Promise<PeriodUsage> {
  const totals = await store.getTotals({ kind: 'customer', customerId }, period);
  const settlement = settlementOf(period, clock.now, clock.settleWindowHours);
  const late = await readLateAdjustments(store, period, settlement);
  return {
    customers: totals === undefined ? [] : [{ customerId, ...totals }],
    untrackedByReason: new Map(),
    untracked: emptyCounters(),
    settlement,
    lateAdjustments: late.filter((adjustment) => adjustment.customerId === customerId),
  };
}

/** `2026-11 is settled: …` or `2026-12 is open: …`, with the count of late adjustments. */
function describeSettlement(period: Period, usage: PeriodUsage): string {
  const { status, settlesAt } = usage.settlement;
  if (status === 'open') {
    return `${period.value} is open: its usage may still grow until ${settlesAt}`;
  }
  const late = usage.lateAdjustments.length;
  return `${period.value} is settled since ${settlesAt}${
    late === 0 ? '' : `; ${late} late adjustment${late === 1 ? '' : 's'} below`
  }`;
}
