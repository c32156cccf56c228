import {
  createS3LogObjectOpener,
  listLogObjects,
} from '../../shared/access-log/log-object-reader.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { reconcileLogBucket, type ReconcileProgress } from '../../shared/metering/reconcile.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import {
  LOG_BUCKET_OPTIONS,
  LOG_BUCKET_USAGE,
  readLogBucketOptions,
} from '../log-bucket-option.ts';
import { readSignerOption, SIGNER_OPTION, SIGNER_USAGE } from '../signer-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';
import { ProgressLine } from '../progress-line.ts';

const USAGE = `Usage: usage-meter reconcile [--log-bucket <log bucket>] [--prefix logs/] [--since YYYY-MM-DD] [--concurrency 4] [--signer <arn>] [--json]

Meters every log object under the prefix that has no summary yet: the ones a failed or
missed notification left behind. Safe to re-run and to run while the Lambda works: each log
object is counted exactly once. Failures are reported and the exit code is 1; run again to
retry them. Objects under the prefix whose key is not one S3 logging writes are listed as
ignored and never metered. Nothing at all under the prefix is an error (exit code 1): the
bucket or prefix is probably wrong.

${LOG_BUCKET_USAGE}

${SIGNER_USAGE}
${TARGET_USAGE}`;

export const reconcileCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        ...SIGNER_OPTION,
        ...LOG_BUCKET_OPTIONS,
        since: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        json: { type: 'boolean', default: false },
      },
    });
    if (values.bucket !== undefined && values['log-bucket'] === undefined) {
      throw new UsageError(
        'reconcile reads the log bucket: pass --log-bucket <name> (--bucket names the content bucket)',
      );
    }
    const { logBucket, logPrefix } = readLogBucketOptions(values, process.env);
    if (values.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.since)) {
      throw new UsageError(`--since must be a day such as 2026-11-20, got '${values.since}'`);
    }
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError(`--concurrency must be a whole number from 1 to 64`);
    }
    const signers = readSignerOption(values, process.env);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const tableName = target.tableName();
      const progress = new ProgressLine(io.stderr);
      const show = (p: Readonly<ReconcileProgress>) =>
        `listed ${p.listed}, ignored ${p.ignored}, metered ${p.metered}, already metered ${p.alreadyMetered}, changed ${p.changed}, failed ${p.failed}`;
      const result = await reconcileLogBucket({
        store: new DynamoDbUsageStore(target.documents, tableName),
        customers: new DynamoDbCustomerStore(target.documents, tableName),
        open: createS3LogObjectOpener(target.s3),
        logBucket,
        logPrefix,
        signers,
        now: () => new Date(),
        keys: listLogObjects(
          target.s3,
          logBucket,
          logPrefix,
          values.since === undefined ? undefined : `${logPrefix}${values.since}`,
        ),
        concurrency,
        onProgress: (p) => {
          progress.update(show(p));
        },
        onIgnored: (key) => {
          progress.break();
          io.stderr.write(`ignored: ${key} is not a server access log key\n`);
        },
        onChanged: (key) => {
          progress.break();
          io.stderr.write(
            `changed: ${key} was rewritten after it was metered (not metered again)\n`,
          );
        },
        onFailure: (key, error) => {
          progress.break();
          io.stderr.write(`failed: ${key}: ${(error as Error).message}\n`);
        },
      });
      progress.break();
      io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${show(result)}\n`);
      if (result.listed === 0) {
        // S3 logs every request: nothing at all under the prefix means a wrong bucket or
        // prefix far more often than a bucket nobody used.
        io.stderr.write(
          `no log objects under s3://${logBucket}/${logPrefix}${values.since ?? ''}: is that the log bucket and prefix the content bucket logs to?\n`,
        );
        return 1;
      }
      return result.failed > 0 ? 1 : 0;
    } finally {
      target.close();
    }
  },
};
