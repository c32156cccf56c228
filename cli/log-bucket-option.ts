import { UsageError } from './command.ts';
import { LOCAL_DEFAULTS } from '../local/defaults.ts';

/** `--log-bucket` and `--prefix`: where S3 logging writes the log objects to read. */
export const LOG_BUCKET_OPTIONS = {
  'log-bucket': { type: 'string' },
  prefix: { type: 'string' },
} as const;

export const LOG_BUCKET_USAGE = `  --log-bucket <name>  the log bucket (default: $LOG_BUCKET; with --local, ${LOCAL_DEFAULTS.logBucket})
  --prefix <prefix>    where S3 logging writes in it (default: $LOG_PREFIX or ${LOCAL_DEFAULTS.logPrefix})`;

/** The log bucket and prefix the options, the environment or `--local` name. */
export function readLogBucketOptions(
  values: { 'log-bucket'?: string | undefined; prefix?: string | undefined; local?: boolean },
  env: NodeJS.ProcessEnv,
): { logBucket: string; logPrefix: string } {
  const logBucket =
    values['log-bucket'] ??
    env.LOG_BUCKET ??
    (values.local === true ? LOCAL_DEFAULTS.logBucket : undefined);
  if (logBucket === undefined || logBucket === '') {
    throw new UsageError('which log bucket? Pass --log-bucket <name> or set LOG_BUCKET');
  }
  return { logBucket, logPrefix: values.prefix ?? env.LOG_PREFIX ?? LOCAL_DEFAULTS.logPrefix };
}
