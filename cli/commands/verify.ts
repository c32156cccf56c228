import { listLogObjects } from '../../shared/access-log/log-object-reader.ts';
import { checkCompleteness } from '../../shared/metering/completeness.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import type { Account } from '../../shared/usage/account.ts';
import { COUNTER_NAMES, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs } from '../command.ts';
import {
  LOG_BUCKET_OPTIONS,
  LOG_BUCKET_USAGE,
  readLogBucketOptions,
} from '../log-bucket-option.ts';
import { readPeriodOption } from '../period-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter verify [--period 2026-11|2026-11-22] [--log-bucket <log bucket>] [--prefix logs/] [--json]

Checks a period two ways; exit code 1 when either finds a problem:
  ledger        every customer's totals (and each untracked reason's) equal the sum of
                their contributions in the ledger;
  completeness  every log object delivered from the period's first day to two days after
                its last (S3 delivers late) was metered: those without a summary (not yet
                metered, or failed) and those whose every line was rejected are listed.

${LOG_BUCKET_USAGE}

${TARGET_USAGE}`;

export const verifyCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        period: { type: 'string' },
        ...LOG_BUCKET_OPTIONS,
        json: { type: 'boolean', default: false },
      },
    });
    const period = readPeriodOption(values.period);
    const { logBucket, logPrefix } = readLogBucketOptions(values, process.env);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
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
      const differences: Array<{
        account: string;
        counter: string;
        total: number;
        ledger: number;
      }> = [];
      let differing = 0;
      for (const { account, totals } of checks) {
        const ledger = await store.sumContributions(account, period);
        const wrong = COUNTER_NAMES.filter((name) => totals[name] !== ledger[name]);
        if (wrong.length === 0) continue;
        differing++;
        const who =
          account.kind === 'customer' ? account.customerId : `(untracked: ${account.reason})`;
        for (const counter of wrong) {
          differences.push({
            account: who,
            counter,
            total: totals[counter],
            ledger: ledger[counter],
          });
        }
      }
      const completeness = await checkCompleteness({
        period,
        logBucket,
        logPrefix,
        list: (startAfter) => listLogObjects(target.s3, logBucket, logPrefix, startAfter),
        findSummaries: (logObjects) => store.findSummaries(logObjects),
      });
      const missing = completeness.unmetered.length + completeness.unreadable.length;
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(
            {
              period: period.value,
              ok: differing === 0 && missing === 0,
              ledger: { accounts: checks.length, differences },
              completeness: { logBucket, logPrefix, ...completeness },
            },
            null,
            2,
          )}\n`,
        );
        return differing === 0 && missing === 0 ? 0 : 1;
      }
      const byAccount = new Map<string, string[]>();
      for (const d of differences) {
        byAccount.set(d.account, [
          ...(byAccount.get(d.account) ?? []),
          `${d.counter} total ${d.total} ≠ ledger ${d.ledger}`,
        ]);
      }
      for (const [who, lines] of byAccount) io.stdout.write(`${who}: ${lines.join('; ')}\n`);
      io.stdout.write(
        `${checks.length} accounts checked for ${period.value}: ${differing === 0 ? 'all totals equal their contributions' : `${differing} differ`}\n`,
      );
      for (const logObject of completeness.unmetered) {
        io.stdout.write(`unmetered: ${logObject} (run usage-meter reconcile)\n`);
      }
      for (const { logObject, rejected } of completeness.unreadable) {
        io.stdout.write(`unreadable: ${logObject} (all ${rejected} lines rejected)\n`);
      }
      io.stdout.write(
        `${completeness.objects} log objects of s3://${logBucket}/${logPrefix} for ${period.value}: ${
          missing === 0 ? 'all metered' : `${missing} not counted`
        }${completeness.duplicates > 0 ? `, ${completeness.duplicates} duplicates of others` : ''}\n`,
      );
      return differing === 0 && missing === 0 ? 0 : 1;
    } finally {
      target.close();
    }
  },
};
