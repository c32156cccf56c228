import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { Account } from '../../shared/usage/plan-chunks.ts';
import { COUNTER_NAMES, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs } from '../command.ts';
import { readPeriodOption } from '../period-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter verify --period 2026-11|2026-11-22

Checks that every customer's totals (and the untracked total) for the period equal the sum
of their contributions in the ledger. Exit code 1 when any differs.

${TARGET_USAGE}`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check that the totals of a period equal the sum of their contributions',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { ...TARGET_OPTIONS, period: { type: 'string' } },
    });
    const period = readPeriodOption(values.period);
    const target = openTarget(values, process.env);
    try {
      const store = new DynamoDbUsageStore(target.documents, target.tableName());
      // The index already holds each customer's totals; only the untracked ones are read.
      const checks: Array<{ account: Account; totals: UsageCounters }> = [
        ...(await store.listTotals(period)).map(({ customerId, period: _, ...totals }) => ({
          account: { kind: 'customer', customerId } as const,
          totals,
        })),
        ...[...(await store.listUntrackedTotals(period))].map(([reason, totals]) => ({
          account: { kind: 'untracked', reason } as const,
          totals,
        })),
      ];
      let differing = 0;
      for (const { account, totals } of checks) {
        const ledger = await store.sumContributions(account, period);
        const wrong = COUNTER_NAMES.filter((name) => totals[name] !== ledger[name]);
        if (wrong.length === 0) continue;
        differing++;
        const who =
          account.kind === 'customer' ? account.customerId : `(untracked: ${account.reason})`;
        io.stdout.write(
          `${who}: ${wrong.map((n) => `${n} total ${totals[n]} ≠ ledger ${ledger[n]}`).join('; ')}\n`,
        );
      }
      io.stdout.write(
        `${checks.length} accounts checked for ${period.value}: ${differing === 0 ? 'all totals equal their contributions' : `${differing} differ`}\n`,
      );
      return differing === 0 ? 0 : 1;
    } finally {
      target.close();
    }
  },
};
