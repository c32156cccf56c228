import {
  createS3LogObjectOpener,
  listLogObjects,
} from '../../shared/access-log/log-object-reader.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { reconcileLogBucket, type ReconcileProgress } from '../../shared/usage/reconcile.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter reconcile --bucket <log bucket> [--prefix logs/] [--since YYYY-MM-DD] [--concurrency 4]

Meters every log object under the prefix that has no summary yet: the ones a failed or
missed notification left behind. Safe to re-run and to run while the Lambda works: each log
object is counted exactly once. Failures are reported and the exit code is 1; run again to
retry them.

${TARGET_USAGE}`;

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'meter every log object that has not been metered yet',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        prefix: { type: 'string', default: 'logs/' },
        since: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
      },
    });
    const logBucket = values.bucket;
    if (logBucket === undefined) throw new UsageError('--bucket <log bucket> is required');
    if (values.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.since)) {
      throw new UsageError(`--since must be a day such as 2026-11-20, got '${values.since}'`);
    }
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError(`--concurrency must be a whole number from 1 to 64`);
    }
    const target = openTarget(values, process.env);
    try {
      const tableName = target.tableName();
      const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
      const show = (p: Readonly<ReconcileProgress>) =>
        `listed ${p.listed}, metered ${p.metered}, already metered ${p.alreadyMetered}, failed ${p.failed}`;
      const result = await reconcileLogBucket({
        store: new DynamoDbUsageStore(target.documents, tableName),
        customers: new DynamoDbCustomerStore(target.documents, tableName),
        open: createS3LogObjectOpener(target.s3),
        logBucket,
        keys: listLogObjects(
          target.s3,
          logBucket,
          values.prefix,
          values.since === undefined ? undefined : `${values.prefix}${values.since}`,
        ),
        concurrency,
        onProgress: (p) => {
          if (tty) io.stderr.write(`\r${show(p)}`);
        },
        onFailure: (key, error) => {
          io.stderr.write(`${tty ? '\n' : ''}failed: ${key}: ${(error as Error).message}\n`);
        },
      });
      if (tty) io.stderr.write('\n');
      io.stdout.write(`${show(result)}\n`);
      return result.failed > 0 ? 1 : 0;
    } finally {
      target.close();
    }
  },
};
