import { ConfigError, type FieldProblem } from './errors.ts';
import { DEFAULT_LINK_LIFETIME_SECONDS, MAX_LINK_LIFETIME_SECONDS } from './links/link-expiry.ts';
import { isSignerArn, SIGNER_ARN_SHAPE } from './usage/attribution-rules.ts';
import { DEFAULT_SETTLE_WINDOW_HOURS, MAX_SETTLE_WINDOW_HOURS } from './usage/settlement.ts';

/** Settings of the link API (and of the CLI commands that issue links). */
export interface IssueLinkConfig {
  /** The single DynamoDB table: customers, API keys, links, usage. */
  tableName: string;
  /** The private bucket whose objects links point at. */
  contentBucket: string;
  defaultExpiresIn: number;
  maxExpiresIn: number;
  /** How long a link's record (and its usage) is kept after the link expires. */
  linkRetentionDays: number;
  /** How many links one customer may be issued a minute (`LINK_RATE_LIMIT`). */
  linksPerMinute: number;
  /** How long after its end a day or month is open (`SETTLE_WINDOW_HOURS`), as `GET /usage` says. */
  settleWindowHours: number;
  /**
   * The Secrets Manager secret holding a dedicated signing user's access key, for links that
   * outlive the Lambda role's session; links are signed with the role when absent.
   */
  signingSecretArn?: string;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/;

/**
 * Links signed by a Lambda role's temporary credentials die with them, and Lambda does not
 * tell the function when that is: an hour is a ceiling such credentials are known to reach.
 */
const DEFAULT_MAX_EXPIRES_IN = 3600;

/**
 * Reads the link API's settings from the environment, strictly: a missing or invalid
 * variable fails the cold start with every problem listed, instead of a bad link later.
 */
export function loadIssueLinkConfig(env: NodeJS.ProcessEnv): Readonly<IssueLinkConfig> {
  const read = new EnvReader(env);
  const maxExpiresIn = read.integer('LINK_MAX_EXPIRES_IN', {
    min: 1,
    max: MAX_LINK_LIFETIME_SECONDS,
    fallback: DEFAULT_MAX_EXPIRES_IN,
  });
  const config: IssueLinkConfig = {
    tableName: read.string('TABLE_NAME'),
    contentBucket: read.string('CONTENT_BUCKET'),
    maxExpiresIn,
    defaultExpiresIn: read.integer('LINK_DEFAULT_EXPIRES_IN', {
      min: 1,
      max: maxExpiresIn,
      fallback: Math.min(DEFAULT_LINK_LIFETIME_SECONDS, maxExpiresIn),
    }),
    linkRetentionDays: read.integer('LINK_RETENTION_DAYS', { min: 1, max: 3650, fallback: 90 }),
    linksPerMinute: read.integer('LINK_RATE_LIMIT', { min: 1, max: 100_000, fallback: 120 }),
    settleWindowHours: read.settleWindowHours(),
  };
  const signingSecretArn = read.optionalMatch('SIGNING_SECRET_ARN', SECRET_ARN, 'a secret ARN');
  if (signingSecretArn !== undefined) config.signingSecretArn = signingSecretArn;
  read.throwIfInvalid();
  return Object.freeze(config);
}

/** Settings of the metering Lambda. */
export interface MeterLogsConfig {
  tableName: string;
  /** Only log objects under this prefix are metered; S3 writes nothing else there. */
  logPrefix: string;
  /**
   * The identities whose presigned requests may bill a customer (`SIGNER_ARNS`, comma
   * separated): the link API's role as `arn:aws:sts::<account>:assumed-role/<role name>`,
   * and the signing user's ARN when links are signed by one.
   */
  signers: readonly string[];
}

/** Reads the metering Lambda's settings from the environment, strictly. */
export function loadMeterLogsConfig(env: NodeJS.ProcessEnv): Readonly<MeterLogsConfig> {
  const read = new EnvReader(env);
  const config = readMeterLogsConfig(read, env);
  read.throwIfInvalid();
  return Object.freeze(config);
}

function readMeterLogsConfig(read: EnvReader, env: NodeJS.ProcessEnv): MeterLogsConfig {
  return {
    tableName: read.string('TABLE_NAME'),
    logPrefix: env.LOG_PREFIX ?? 'logs/',
    signers: read.list('SIGNER_ARNS', isSignerArn, SIGNER_ARN_SHAPE),
  };
}

/** Settings of the scheduled reconcile Lambda. */
export interface ReconcileConfig extends MeterLogsConfig {
  logBucket: string;
  /** How many days of log objects each run looks through, counted back from today (UTC). */
  lookbackDays: number;
}

/** Reads the reconcile Lambda's settings from the environment, strictly. */
export function loadReconcileConfig(env: NodeJS.ProcessEnv): Readonly<ReconcileConfig> {
  const read = new EnvReader(env);
  const config: ReconcileConfig = {
    ...readMeterLogsConfig(read, env),
    logBucket: read.string('LOG_BUCKET'),
    lookbackDays: read.integer('RECONCILE_LOOKBACK_DAYS', { min: 1, max: 400, fallback: 3 }),
  };
  read.throwIfInvalid();
  return Object.freeze(config);
}

/** Settings of the function that sends each new contribution as a CloudEvent. */
export interface ExportCloudEventsConfig {
  tableName: string;
  /** Where the events go (`POST`); none: the function sends nothing. */
  endpoint?: string;
  /** The Secrets Manager secret whose value is the endpoint's bearer token, if it wants one. */
  tokenSecretArn?: string;
}

/** Reads the CloudEvents export's settings from the environment, strictly. */
export function loadExportCloudEventsConfig(
  env: NodeJS.ProcessEnv,
): Readonly<ExportCloudEventsConfig> {
  const read = new EnvReader(env);
  const config: ExportCloudEventsConfig = { tableName: read.string('TABLE_NAME') };
  const endpoint = read.optionalMatch('CLOUDEVENTS_ENDPOINT', HTTPS_URL, 'an https:// URL');
  if (endpoint !== undefined) config.endpoint = endpoint;
  const token = read.optionalMatch('CLOUDEVENTS_TOKEN_SECRET_ARN', SECRET_ARN, 'a secret ARN');
  if (token !== undefined) config.tokenSecretArn = token;
  read.throwIfInvalid();
  return Object.freeze(config);
}

const HTTPS_URL = /^https:\/\/[^\s/]+(\/\S*)?$/;

/** Collects every problem before failing, so one deploy fixes them all. */
class EnvReader {
  private readonly problems: FieldProblem[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(name: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') {
      this.problems.push({ field: name, problem: 'is required' });
      return '';
    }
    return value;
  }

  integer(name: string, rule: { min: number; max: number; fallback: number }): number {
    const value = this.env[name];
    if (value === undefined || value === '') return rule.fallback;
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= rule.min && number <= rule.max)) {
      this.problems.push({
        field: name,
        problem: `must be a whole number from ${rule.min} to ${rule.max} (got "${value}")`,
      });
      return rule.fallback;
    }
    return number;
  }

  /** `SETTLE_WINDOW_HOURS`: how long after its end a period is open (docs/billing.md). */
  settleWindowHours(): number {
    return this.integer('SETTLE_WINDOW_HOURS', {
      min: 0,
      max: MAX_SETTLE_WINDOW_HOURS,
      fallback: DEFAULT_SETTLE_WINDOW_HOURS,
    });
  }

  /** A required comma-separated list, each item of which must pass `valid`. */
  list(name: string, valid: (item: string) => boolean, shape: string): string[] {
    const items = this.string(name)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (this.env[name] !== undefined && this.env[name] !== '' && items.length === 0) {
      this.problems.push({ field: name, problem: 'must name at least one item' });
    }
    for (const item of items.filter((i) => !valid(i))) {
      this.problems.push({ field: name, problem: `each item must be ${shape} (got "${item}")` });
    }
    return items;
  }

  /** An optional value, which must match `pattern` when present. */
  optionalMatch(name: string, pattern: RegExp, shape: string): string | undefined {
    const value = this.env[name];
    if (value === undefined || value === '') return undefined;
    if (!pattern.test(value)) {
      this.problems.push({ field: name, problem: `must be ${shape} (got "${value}")` });
    }
    return value;
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** Settings of the scheduled export. */
export interface ExportUsageConfig {
  tableName: string;
  /** The Secrets Manager secret whose value is the Stripe secret key; no Stripe export without it. */
  stripeSecretArn?: string;
  /** The bucket the month's files go to; no file export without it. */
  filesBucket?: string;
  /** Where in that bucket, ending in `/` (or empty). */
  filesPrefix: string;
  settleWindowHours: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^$|^[^/]\S*\/$/;

/** Reads the scheduled export's settings from the environment, strictly. */
export function loadExportUsageConfig(env: NodeJS.ProcessEnv): Readonly<ExportUsageConfig> {
  const read = new EnvReader(env);
  const config: ExportUsageConfig = {
    tableName: read.string('TABLE_NAME'),
    filesPrefix:
      read.optionalMatch('EXPORT_FILES_PREFIX', KEY_PREFIX, 'empty or a folder ending in /') ??
      'usage-exports/',
    settleWindowHours: read.settleWindowHours(),
  };
  const secret = read.optionalMatch('STRIPE_SECRET_ARN', SECRET_ARN, 'a secret ARN');
  if (secret !== undefined) config.stripeSecretArn = secret;
  const bucket = read.optionalMatch('EXPORT_FILES_BUCKET', BUCKET_NAME, 'an S3 bucket name');
  if (bucket !== undefined) config.filesBucket = bucket;
  read.throwIfInvalid();
  return Object.freeze(config);
}
