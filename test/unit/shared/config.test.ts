import { describe, expect, it } from 'vitest';
import {
  loadExportCloudEventsConfig,
  loadExportUsageConfig,
  loadIssueLinkConfig,
  loadReconcileConfig,
} from '../../../shared/config.ts';
import { ConfigError } from '../../../shared/errors.ts';

const REQUIRED = { TABLE_NAME: 'usage', CONTENT_BUCKET: 'content' };

describe('loadIssueLinkConfig', () => {
  it('applies the defaults and freezes the result', () => {
    const config = loadIssueLinkConfig(REQUIRED);
    expect(config).toEqual({
      tableName: 'usage',
      contentBucket: 'content',
      maxExpiresIn: 3600,
      defaultExpiresIn: 900,
      linkRetentionDays: 90,
      linksPerMinute: 120,
      settleWindowHours: 48,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('caps the default lifetime at a lower maximum', () => {
    expect(loadIssueLinkConfig({ ...REQUIRED, LINK_MAX_EXPIRES_IN: '300' })).toMatchObject({
      maxExpiresIn: 300,
      defaultExpiresIn: 300,
    });
  });

  it('names every missing or invalid variable at once', () => {
    expect(() =>
      loadIssueLinkConfig({
        LINK_MAX_EXPIRES_IN: '604801',
        LINK_DEFAULT_EXPIRES_IN: '15m',
        LINK_RETENTION_DAYS: '-1',
        SIGNING_SECRET_ARN: 'usage-meter-signer',
      }),
    ).toThrow(
      expect.objectContaining({
        name: ConfigError.name,
        problems: [
          {
            field: 'LINK_MAX_EXPIRES_IN',
            problem: 'must be a whole number from 1 to 604800 (got "604801")',
          },
          { field: 'TABLE_NAME', problem: 'is required' },
          { field: 'CONTENT_BUCKET', problem: 'is required' },
          {
            field: 'LINK_DEFAULT_EXPIRES_IN',
            problem: 'must be a whole number from 1 to 3600 (got "15m")',
          },
          {
            field: 'LINK_RETENTION_DAYS',
            problem: 'must be a whole number from 1 to 3650 (got "-1")',
          },
          {
            field: 'SIGNING_SECRET_ARN',
            problem: 'must be a secret ARN (got "usage-meter-signer")',
          },
        ],
      }),
    );
  });

  it('takes a settle window of 0 to 2160 hours, and names a bad one', () => {
    const base = { TABLE_NAME: 't', CONTENT_BUCKET: 'b' };
    expect(loadIssueLinkConfig({ ...base, SETTLE_WINDOW_HOURS: '0' }).settleWindowHours).toBe(0);
    expect(() => loadIssueLinkConfig({ ...base, SETTLE_WINDOW_HOURS: '2161' })).toThrow(
      expect.objectContaining({
        problems: [
          {
            field: 'SETTLE_WINDOW_HOURS',
            problem: 'must be a whole number from 0 to 2160 (got "2161")',
          },
        ],
      }),
    );
  });

  it('reads the export: a Stripe secret and a files bucket when set, and names bad ones', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbC';
    expect(
      loadExportUsageConfig({
        TABLE_NAME: 't',
        STRIPE_SECRET_ARN: secret,
        EXPORT_FILES_BUCKET: 'acme-billing',
        EXPORT_FILES_PREFIX: 'usage/',
      }),
    ).toEqual({
      tableName: 't',
      settleWindowHours: 48,
      stripeSecretArn: secret,
      filesBucket: 'acme-billing',
      filesPrefix: 'usage/',
    });
    expect(loadExportUsageConfig({ TABLE_NAME: 't', STRIPE_SECRET_ARN: '' })).toEqual({
      tableName: 't',
      settleWindowHours: 48,
      filesPrefix: 'usage-exports/',
    });
    expect(() =>
      loadExportUsageConfig({
        STRIPE_SECRET_ARN: 'sk_live_oops',
        EXPORT_FILES_BUCKET: 'Acme_Billing',
        EXPORT_FILES_PREFIX: '/usage',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          { field: 'TABLE_NAME', problem: 'is required' },
          {
            field: 'EXPORT_FILES_PREFIX',
            problem: 'must be empty or a folder ending in / (got "/usage")',
          },
          { field: 'STRIPE_SECRET_ARN', problem: 'must be a secret ARN (got "sk_live_oops")' },
          {
            field: 'EXPORT_FILES_BUCKET',
            problem: 'must be an S3 bucket name (got "Acme_Billing")',
          },
        ],
      }),
    );
  });

  it('reads the CloudEvents export: an https endpoint and a token secret, each optional', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:om-token-AbC';
    expect(
      loadExportCloudEventsConfig({
        TABLE_NAME: 't',
        CLOUDEVENTS_ENDPOINT: 'https://openmeter.example/api/v1/events',
        CLOUDEVENTS_TOKEN_SECRET_ARN: secret,
      }),
    ).toEqual({
      tableName: 't',
      endpoint: 'https://openmeter.example/api/v1/events',
      tokenSecretArn: secret,
    });
    expect(loadExportCloudEventsConfig({ TABLE_NAME: 't', CLOUDEVENTS_ENDPOINT: '' })).toEqual({
      tableName: 't',
    });
    expect(() =>
      loadExportCloudEventsConfig({
        TABLE_NAME: 't',
        CLOUDEVENTS_ENDPOINT: 'http://plain.example/',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          {
            field: 'CLOUDEVENTS_ENDPOINT',
            problem: 'must be an https:// URL (got "http://plain.example/")',
          },
        ],
      }),
    );
  });

  it('takes a signing user’s secret by ARN, and none when the variable is empty', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:usage-meter-signer-AbCdEf';
    expect(loadIssueLinkConfig({ ...REQUIRED, SIGNING_SECRET_ARN: arn }).signingSecretArn).toBe(
      arn,
    );
    expect(loadIssueLinkConfig({ ...REQUIRED, SIGNING_SECRET_ARN: '' })).not.toHaveProperty(
      'signingSecretArn',
    );
  });
});

const ROLE = 'arn:aws:sts::123456789012:assumed-role/s3-usage-meter-prod-IssueLinkRole-1A2B';

describe('loadReconcileConfig', () => {
  it('looks three days back by default, and names every bad variable', () => {
    const signers = `${ROLE}, arn:aws:iam::123456789012:user/link-signer`;
    expect(
      loadReconcileConfig({ TABLE_NAME: 'usage', LOG_BUCKET: 'logs', SIGNER_ARNS: signers }),
    ).toEqual({
      tableName: 'usage',
      logBucket: 'logs',
      logPrefix: 'logs/',
      lookbackDays: 3,
      signers: [ROLE, 'arn:aws:iam::123456789012:user/link-signer'],
    });
    expect(() =>
      loadReconcileConfig({ RECONCILE_LOOKBACK_DAYS: '0', SIGNER_ARNS: `${ROLE}/session,*` }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          { field: 'TABLE_NAME', problem: 'is required' },
          {
            field: 'SIGNER_ARNS',
            problem: `each item must be a role (arn:aws:sts::<account>:assumed-role/<name>) or user (arn:aws:iam::<account>:user/<name>) ARN (got "${ROLE}/session")`,
          },
          {
            field: 'SIGNER_ARNS',
            problem:
              'each item must be a role (arn:aws:sts::<account>:assumed-role/<name>) or user (arn:aws:iam::<account>:user/<name>) ARN (got "*")',
          },
          { field: 'LOG_BUCKET', problem: 'is required' },
          {
            field: 'RECONCILE_LOOKBACK_DAYS',
            problem: 'must be a whole number from 1 to 400 (got "0")',
          },
        ],
      }),
    );
  });
});
