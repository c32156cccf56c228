import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUE_LINK_ROUTES } from '../../functions/issue-link/issue-link.ts';
import { describeTable, TTL_ATTRIBUTE } from '../../shared/table/schema.ts';
import { checkAgainstSpec } from '../helpers/cloudformation-spec.ts';
import {
  ACCOUNT,
  functionEnv,
  grants,
  list,
  REGION,
  resource,
  resources,
  statements,
} from '../helpers/cloudformation-template.ts';
import { packageStack, type Template } from '../helpers/serverless-package.ts';

const CONTENT = `s3-usage-meter-prod-content-${ACCOUNT}-${REGION}`;
const LOGS = `s3-usage-meter-prod-logs-${ACCOUNT}-${REGION}`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:usage-meter-signer-AbCdEf`;
const STRIPE_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:usage-meter-stripe-GhIjKl`;
const TOKEN_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:openmeter-token-MnOpQr`;
const OPS_ROLE = `arn:aws:iam::${ACCOUNT}:role/support-engineers`;
const SIGNING_USER = `arn:aws:iam::${ACCOUNT}:user/usage-meter-link-signer`;

const dirs: string[] = [];
let prod: Template;
let dev: Template;
let existing: Template;

beforeAll(async () => {
  const stacks = [
    await packageStack(['--stage', 'prod']),
    await packageStack(['--stage', 'dev', '--param', `extraPresignerArns=${OPS_ROLE}`]),
    await packageStack([
      '--stage',
      'prod',
      '--param',
      'createContentBucket=false',
      '--param',
      'contentBucket=acme-files',
      '--param',
      `signingSecretArn=${SECRET}`,
      '--param',
      `signingUserArn=${SIGNING_USER}`,
      '--param',
      'alarmEmail=ops@example.com',
      '--param',
      'tableWarmWriteUnitsPerSecond=10000',
      '--param',
      `stripeSecretArn=${STRIPE_SECRET}`,
      '--param',
      'exportFilesBucket=acme-billing',
      '--param',
      'cloudEventsEndpoint=https://openmeter.example/api/v1/events',
      '--param',
      `cloudEventsTokenSecretArn=${TOKEN_SECRET}`,
    ]),
  ];
  dirs.push(...stacks.map((s) => s.dir));
  [prod, dev, existing] = stacks.map((s) => s.template) as [Template, Template, Template];
}, 240_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the production stack', () => {
  it('uses only resource types, properties and attributes CloudFormation has', () => {
    expect(checkAgainstSpec(prod)).toEqual([]);
    expect(checkAgainstSpec(existing)).toEqual([]);
  });

  it('gives each function its own role, and allows no wildcard action or resource', () => {
    const roles = ['IssueLink', 'MeterLogs', 'Reconcile', 'ExportUsage', 'ExportCloudEvents'].map(
      (name) => resource(prod, `${name}LambdaFunction`).Properties.Role,
    );
    expect(roles).toEqual([
      'GetAtt:IssueLinkRole.Arn',
      'GetAtt:MeterLogsRole.Arn',
      'GetAtt:ReconcileRole.Arn',
      'GetAtt:ExportUsageRole.Arn',
      'GetAtt:ExportCloudEventsRole.Arn',
    ]);
    expect(prod.Resources.IamRoleLambdaExecution).toBeUndefined();
    const allowed = statements(prod).filter(({ statement }) => statement.Effect === 'Allow');
    expect(allowed.length).toBeGreaterThan(10);
    for (const { owner, statement } of allowed) {
      for (const action of list(statement.Action)) expect(action, owner).not.toContain('*');
      for (const arn of list(statement.Resource ?? [])) expect(arn, owner).not.toBe('*');
    }
  });

  it('grants each function only the actions its code calls, on the exact resources', () => {
    const table = 'GetAtt:UsageTable.Arn';
    const index = `GetAtt:UsageTable.Arn/index/GSI1`;
    const logObjects = `arn:aws:s3:::${LOGS}/logs/*`;
    const logWriting = (fn: string) => ({
      'logs:CreateLogStream': [`GetAtt:${fn}LogGroup.Arn`],
      'logs:PutLogEvents': [`GetAtt:${fn}LogGroup.Arn`],
    });
    expect(grants(prod, 'IssueLinkRole')).toEqual({
      ...logWriting('IssueLink'),
      'dynamodb:GetItem': [table],
      'dynamodb:PutItem': [table],
      'dynamodb:UpdateItem': [table],
      's3:GetObject': [`arn:aws:s3:::${CONTENT}/*`],
      's3:ListBucket': [`arn:aws:s3:::${CONTENT}`],
      's3:PutObject': [`arn:aws:s3:::${CONTENT}/*`],
    });
    const metering = {
      's3:GetObject': [logObjects],
      'dynamodb:GetItem': [table],
      'dynamodb:BatchGetItem': [table],
      'dynamodb:PutItem': [table],
      'dynamodb:UpdateItem': [table],
      'dynamodb:Query': [index],
    };
    expect(grants(prod, 'MeterLogsRole')).toEqual({
      ...logWriting('MeterLogs'),
      ...metering,
      'sqs:SendMessage': ['GetAtt:MeterLogsFailures.Arn'],
    });
    expect(grants(prod, 'ReconcileRole')).toEqual({
      ...logWriting('Reconcile'),
      ...metering,
      's3:ListBucket': [`arn:aws:s3:::${LOGS}`],
    });
    expect(grants(prod, 'ExportUsageRole')).toEqual({
      ...logWriting('ExportUsage'),
      'dynamodb:Query': [table, index],
      'dynamodb:PutItem': [table],
      'dynamodb:UpdateItem': [table],
      'dynamodb:DeleteItem': [table],
    });
    const stream = 'GetAtt:UsageTable.StreamArn';
    expect(grants(prod, 'ExportCloudEventsRole')).toEqual({
      ...logWriting('ExportCloudEvents'),
      'dynamodb:DescribeStream': [stream],
      'dynamodb:GetRecords': [stream],
      'dynamodb:GetShardIterator': [stream],
      'dynamodb:ListStreams': [stream],
      'sqs:SendMessage': ['GetAtt:ExportCloudEventsFailures.Arn'],
    });
  });

  it('lets the link API write link records only, and reconcile list the log prefix only', () => {
    const conditionOf = (role: string, action: string) =>
      statements(prod).find(
        ({ owner, statement }) => owner === role && list(statement.Action).includes(action),
      )?.statement.Condition;
    expect(conditionOf('IssueLinkRole', 'dynamodb:PutItem')).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LINK#*'] },
    });
    expect(conditionOf('IssueLinkRole', 'dynamodb:UpdateItem')).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] },
    });
    expect(conditionOf('ReconcileRole', 's3:ListBucket')).toEqual({
      StringLike: { 's3:prefix': 'logs/*' },
    });
    expect(conditionOf('ExportUsageRole', 'dynamodb:PutItem')).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX#*'] },
    });
  });

  it('lets the metering write ledger, totals, link usage and summaries, never API keys', () => {
    const meteringKeys = {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['CUSTOMER#*', 'UNTRACKED#*', 'LOG#*', 'LINK#*', 'DIGEST#*'],
      },
    };
    for (const role of ['MeterLogsRole', 'ReconcileRole']) {
      const writes = statements(prod).filter(
        ({ owner, statement }) =>
          owner === role &&
          list(statement.Action).some((a) =>
            ['dynamodb:PutItem', 'dynamodb:UpdateItem'].includes(a),
          ),
      );
      expect(
        writes.map((w) => [list(w.statement.Action), w.statement.Condition]),
        role,
      ).toEqual([[['dynamodb:PutItem', 'dynamodb:UpdateItem'], meteringKeys]]);
      const patterns = meteringKeys['ForAllValues:StringLike']['dynamodb:LeadingKeys'];
      const matches = (key: string) => patterns.some((p) => key.startsWith(p.slice(0, -1)));
      expect(['APIKEY#abc', 'RATE#acme'].filter(matches), role).toEqual([]);
    }
  });

  it('holds the metering functions to the V8 heap limits the metering benchmark runs with', () => {
    const { nodeOptions } = createRequire(import.meta.url)(
      '../../scripts/metering-node-options.cjs',
    ) as { nodeOptions: string };
    expect(nodeOptions).toMatch(/--max-old-space-size=\d+/);
    for (const name of ['MeterLogsLambdaFunction', 'ReconcileLambdaFunction']) {
      expect(functionEnv(prod, name).NODE_OPTIONS, name).toBe(nodeOptions);
    }
    expect(functionEnv(prod, 'IssueLinkLambdaFunction').NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('tells the metering who signs links: every session of the link API role', () => {
    const signers = `arn:aws:sts::${ACCOUNT}:assumed-role/Ref:IssueLinkRole`;
    expect(functionEnv(prod, 'MeterLogsLambdaFunction').SIGNER_ARNS).toBe(signers);
    expect(functionEnv(prod, 'ReconcileLambdaFunction').SIGNER_ARNS).toBe(signers);
  });

  it('puts AWS’s presigned-URL guardrails on the content bucket', () => {
    const deny = statements(prod)
      .filter(
        ({ owner, statement }) => owner === 'ContentBucketPolicy' && statement.Effect === 'Deny',
      )
      .map(({ statement }) => statement);
    const everything = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${CONTENT}`, `arn:aws:s3:::${CONTENT}/*`],
    };
    expect(deny.slice(1)).toEqual([
      {
        Sid: 'DenySignaturesOlderThanTheLongestLink',
        ...everything,
        // linkMaxExpiresIn 3600 s plus 900 s of clock skew, in milliseconds.
        Condition: { NumericGreaterThan: { 's3:signatureAge': 4_500_000 } },
      },
      {
        Sid: 'DenySignatureVersion2',
        ...everything,
        Condition: { StringEquals: { 's3:signatureversion': 'AWS' } },
      },
      {
        Sid: 'DenyPresignedRequestsOfOtherPrincipals',
        ...everything,
        Condition: {
          StringEquals: { 's3:authType': ['REST-QUERY-STRING', 'POST'] },
          ArnNotLike: { 'aws:PrincipalArn': ['GetAtt:IssueLinkRole.Arn'] },
        },
      },
    ]);
  });

  it('blocks public access, enforces owner-owned objects and encrypts both buckets', () => {
    for (const id of ['ContentBucket', 'LogBucket']) {
      const bucket = resource(prod, id).Properties;
      expect(bucket.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.OwnershipControls, id).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
      expect(bucket.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      });
    }
    expect(resource(prod, 'ContentBucket').Properties.BucketName).toBe(CONTENT);
    expect(resource(prod, 'LogBucket').Properties.BucketName).toBe(LOGS);
  });

  it('refuses every request to either bucket that is not over TLS', () => {
    for (const [policy, bucket] of [
      ['ContentBucketPolicy', CONTENT],
      ['LogBucketPolicy', LOGS],
    ] as const) {
      const deny = statements(prod).filter(
        ({ owner, statement }) => owner === policy && statement.Effect === 'Deny',
      );
      expect(deny.map((d) => d.statement).slice(0, 1)).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    }
  });

  it('lets only S3 logging of the content bucket, for this account, write into the log prefix', () => {
    const allowed = statements(prod).filter(
      ({ owner, statement }) => owner === 'LogBucketPolicy' && statement.Effect === 'Allow',
    );
    expect(allowed.map((a) => a.statement)).toEqual([
      {
        Sid: 'AllowServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${LOGS}/logs/*`,
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${CONTENT}` },
          StringEquals: { 'aws:SourceAccount': 'Ref:AWS::AccountId' },
        },
      },
    ]);
  });

  it('logs the content bucket into exactly the prefix meterLogs is notified of and meters', () => {
    expect(resource(prod, 'ContentBucket').Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: 'Ref:LogBucket',
      LogFilePrefix: 'logs/',
      TargetObjectKeyFormat: { SimplePrefix: {} },
    });
    expect(resource(prod, 'LogBucket').Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Function: 'GetAtt:MeterLogsLambdaFunction.Arn',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'logs/' }] } },
        },
      ],
    });
    expect(functionEnv(prod, 'MeterLogsLambdaFunction').LOG_PREFIX).toBe('logs/');
    expect(functionEnv(prod, 'ReconcileLambdaFunction')).toMatchObject({
      LOG_PREFIX: 'logs/',
      LOG_BUCKET: LOGS,
    });
    // S3 checks that it may invoke the function when the notification is put.
    expect(resource(prod, 'MeterLogsS3Permission').Properties).toEqual({
      FunctionName: 'GetAtt:MeterLogsLambdaFunction.Arn',
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceArn: `arn:aws:s3:::${LOGS}`,
      SourceAccount: 'Ref:AWS::AccountId',
    });
    expect(prod.Resources.LogBucket?.DependsOn).toEqual(['MeterLogsS3Permission']);
  });

  it('sends a log object that failed three times to the queue, and alarms on the queue', () => {
    expect(resource(prod, 'MeterLogsLambdaEvConf').Properties).toMatchObject({
      FunctionName: 'Ref:MeterLogsLambdaFunction',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: 'GetAtt:MeterLogsFailures.Arn' } },
    });
    expect(resource(prod, 'MeterLogsFailures').Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    expect(resource(prod, 'MeterLogsFailuresAlarm').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'GetAtt:MeterLogsFailures.QueueName' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: ['Ref:AlarmTopic'],
    });
    const alarmed = Object.values(resources(prod))
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(
        (r) =>
          (r.Properties.Dimensions as { Value: string }[] | undefined)?.[0]?.Value ??
          r.Properties.MetricName,
      );
    expect(alarmed.sort()).toEqual([
      'GetAtt:MeterLogsFailures.QueueName',
      'Ref:HttpApi',
      'Ref:MeterLogsLambdaFunction',
      'Ref:ReconcileLambdaFunction',
      'meter-logs',
      'meter-logs',
    ]);
    // The metering's own metrics: any rejected line, and a log later than the threshold.
    const metering = {
      Namespace: 's3-usage-meter/prod',
      Dimensions: [{ Name: 'service', Value: 'meter-logs' }],
    };
    expect(resource(prod, 'RejectedLinesAlarm').Properties).toMatchObject({
      ...metering,
      MetricName: 'RejectedLines',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: ['Ref:AlarmTopic'],
    });
    expect(resource(prod, 'DeliveryLagAlarm').Properties).toMatchObject({
      ...metering,
      MetricName: 'DeliveryLag',
      Statistic: 'Maximum',
      Threshold: 21600,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: ['Ref:AlarmTopic'],
    });
    expect(functionEnv(prod, 'MeterLogsLambdaFunction').POWERTOOLS_METRICS_NAMESPACE).toBe(
      's3-usage-meter/prod',
    );
    // No e-mail given: the topic is there to subscribe to, with no subscription.
    expect(resources(prod).AlarmEmailSubscription).toBeUndefined();
  });

  it('has a dashboard of every metric the metering emits, in its namespace and region', () => {
    const dashboard = resource(prod, 'MeteringDashboard').Properties;
    expect(dashboard.DashboardName).toBe('s3-usage-meter-prod');
    const body = JSON.parse(String(dashboard.DashboardBody)) as {
      widgets: { properties: { region: string; metrics: unknown[][] } }[];
    };
    const charted = body.widgets.flatMap((w) => {
      expect(w.properties.region).toBe(REGION);
      return w.properties.metrics.map(([namespace, name, dimension, value]) => {
        expect([namespace, dimension, value]).toEqual([
          's3-usage-meter/prod',
          'service',
          'meter-logs',
        ]);
        return name;
      });
    });
    expect(charted.sort()).toEqual([
      'AttributedBytes',
      'DeliveryLag',
      'DuplicateLines',
      'DuplicateLogObjects',
      'LogLines',
      'LogObjects',
      'Records',
      'RejectedLines',
      'UntrackedBytes',
    ]);
  });

  it('keeps the table the code uses: on demand, PITR, TTL, GSI, deletion protection, retained', () => {
    const table = resource(prod, 'UsageTable');
    const { TableName: _, ...expected } = describeTable('unused');
    expect(table.Properties).toMatchObject(expected);
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    expect(prod.Resources.UsageTable?.DeletionPolicy).toBe('Retain');
    expect(prod.Resources.LogBucket?.DeletionPolicy).toBe('Retain');
    expect(prod.Resources.ContentBucket?.DeletionPolicy).toBe('Retain');
  });

  it('routes exactly the handler’s routes, throttled, with access logs', () => {
    const routes = Object.values(resources(prod))
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual([...ISSUE_LINK_ROUTES].sort());
    expect(resource(prod, 'HttpApiStage').Properties).toMatchObject({
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: 'GetAtt:HttpApiLogGroup.Arn' },
    });
  });

  it('runs reconcile every hour over three days of logs, the next run being the retry', () => {
    expect(resource(prod, 'ReconcileEventsRuleSchedule1').Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      Targets: [{ Arn: 'GetAtt:ReconcileLambdaFunction.Arn' }],
    });
    expect(resource(prod, 'ReconcileLambdaEvConf').Properties).toMatchObject({
      MaximumRetryAttempts: 0,
    });
    expect(functionEnv(prod, 'ReconcileLambdaFunction').RECONCILE_LOOKBACK_DAYS).toBe('3');
  });

  it('keeps every log group 90 days and the access logs 400', () => {
    const groups = Object.entries(resources(prod)).filter(
      ([, r]) => r.Type === 'AWS::Logs::LogGroup',
    );
    expect(groups.map(([id]) => id).sort()).toEqual([
      'ExportCloudEventsLogGroup',
      'ExportUsageLogGroup',
      'HttpApiLogGroup',
      'IssueLinkLogGroup',
      'MeterLogsLogGroup',
      'ReconcileLogGroup',
    ]);
    for (const [id, group] of groups) expect(group.Properties.RetentionInDays, id).toBe(90);
    expect(resource(prod, 'LogBucket').Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'ExpireAccessLogs',
          Status: 'Enabled',
          ExpirationInDays: 400,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
  });

  it('deploys the export unscheduled, with no secret or bucket, until one is named', () => {
    expect(resource(prod, 'ExportUsageEventsRuleSchedule1').Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      State: 'DISABLED',
      Targets: [{ Arn: 'GetAtt:ExportUsageLambdaFunction.Arn' }],
    });
    expect(resources(prod).ExportUsageErrorsAlarm).toBeUndefined();
    expect(functionEnv(prod, 'ExportUsageLambdaFunction')).toMatchObject({
      STRIPE_SECRET_ARN: '',
      SETTLE_WINDOW_HOURS: '48',
    });
    expect(resource(prod, 'ExportUsageLambdaEvConf').Properties).toMatchObject({
      MaximumRetryAttempts: 0,
    });
  });

  it('streams new contributions to exportCloudEvents, reading nothing until an endpoint is named', () => {
    expect(resource(prod, 'UsageTable').Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_IMAGE',
    });
    const mapping = resource(prod, 'ExportCloudEventsEventSourceMappingDynamodbUsageTable');
    expect(mapping.Properties).toMatchObject({
      Enabled: false,
      EventSourceArn: 'GetAtt:UsageTable.StreamArn',
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 86400,
      DestinationConfig: { OnFailure: { Destination: 'GetAtt:ExportCloudEventsFailures.Arn' } },
    });
    const [filter] = (mapping.Properties.FilterCriteria as { Filters: Array<{ Pattern: string }> })
      .Filters;
    expect(JSON.parse(filter?.Pattern ?? '{}')).toEqual({
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: { type: { S: ['contribution'] }, PK: { S: [{ prefix: 'CUSTOMER#' }] } },
      },
    });
    expect(resources(prod).ExportCloudEventsFailuresAlarm).toBeUndefined();
  });

  it('signs links with the role, which keeps them to an hour', () => {
    expect(functionEnv(prod, 'IssueLinkLambdaFunction')).toMatchObject({
      CONTENT_BUCKET: CONTENT,
      LINK_MAX_EXPIRES_IN: '3600',
      LINK_RATE_LIMIT: '120',
      SIGNING_SECRET_ARN: '',
    });
  });
});

describe('the dev stack', () => {
  it('lets the principals an operator names presign on the content bucket too', () => {
    const presigners = statements(dev).find(
      ({ statement }) => statement.Sid === 'DenyPresignedRequestsOfOtherPrincipals',
    )?.statement.Condition?.ArnNotLike;
    expect(presigners).toEqual({ 'aws:PrincipalArn': ['GetAtt:IssueLinkRole.Arn', OPS_ROLE] });
  });

  it('can be removed whole, but for the content bucket', () => {
    expect(resource(dev, 'UsageTable').Properties.DeletionProtectionEnabled).toBe(false);
    expect(dev.Resources.UsageTable?.DeletionPolicy).toBe('Delete');
    expect(dev.Resources.LogBucket?.DeletionPolicy).toBe('Delete');
    expect(dev.Resources.ContentBucket?.DeletionPolicy).toBe('Retain');
    expect(resource(dev, 'IssueLinkLogGroup').Properties.RetentionInDays).toBe(14);
  });
});

describe('a stack on an existing content bucket, with a signing user and alarm e-mail', () => {
  it('creates no content bucket, and lets that bucket’s access logs in', () => {
    expect(resources(existing).ContentBucket).toBeUndefined();
    expect(resources(existing).ContentBucketPolicy).toBeUndefined();
    const delivery = statements(existing).find(
      ({ statement }) => statement.Sid === 'AllowServerAccessLogDelivery',
    )?.statement;
    expect(delivery?.Condition?.ArnLike).toEqual({ 'aws:SourceArn': 'arn:aws:s3:::acme-files' });
    expect(functionEnv(existing, 'IssueLinkLambdaFunction').CONTENT_BUCKET).toBe('acme-files');
  });

  it('reads the signing keys from that one secret, and its role cannot upload', () => {
    const issueLink = grants(existing, 'IssueLinkRole');
    expect(issueLink['secretsmanager:GetSecretValue']).toEqual([SECRET]);
    expect(issueLink['s3:PutObject']).toBeUndefined();
    expect(issueLink['s3:GetObject']).toEqual(['arn:aws:s3:::acme-files/*']);
    expect(functionEnv(existing, 'IssueLinkLambdaFunction').SIGNING_SECRET_ARN).toBe(SECRET);
  });

  it('bills the signing user’s links as well as the role’s', () => {
    expect(functionEnv(existing, 'MeterLogsLambdaFunction').SIGNER_ARNS).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/Ref:IssueLinkRole,${SIGNING_USER}`,
    );
  });

  it('pre-warms the table and its index for the write units asked for (none by default)', () => {
    type Table = {
      WarmThroughput?: unknown;
      GlobalSecondaryIndexes: Array<{ WarmThroughput?: unknown }>;
    };
    const warm = resource(existing, 'UsageTable').Properties as Table;
    expect(warm.WarmThroughput).toEqual({ WriteUnitsPerSecond: '10000' });
    expect(warm.GlobalSecondaryIndexes[0]?.WarmThroughput).toEqual({
      WriteUnitsPerSecond: '10000',
    });
    const cold = resource(prod, 'UsageTable').Properties as Table;
    expect(cold.WarmThroughput).toBe('Ref:AWS::NoValue');
    expect(cold.GlobalSecondaryIndexes[0]?.WarmThroughput).toBe('Ref:AWS::NoValue');
  });

  it('exports every hour to Stripe with the key of that one secret, and files to that prefix', () => {
    expect(resource(existing, 'ExportUsageEventsRuleSchedule1').Properties.State).toBe('ENABLED');
    const exporting = grants(existing, 'ExportUsageRole');
    expect(exporting['secretsmanager:GetSecretValue']).toEqual([STRIPE_SECRET]);
    expect(exporting['s3:PutObject']).toEqual(['arn:aws:s3:::acme-billing/usage-exports/*']);
    expect(exporting['dynamodb:GetItem']).toEqual(['GetAtt:UsageTable.Arn']);
    expect(functionEnv(existing, 'ExportUsageLambdaFunction')).toMatchObject({
      EXPORT_FILES_BUCKET: 'acme-billing',
      EXPORT_FILES_PREFIX: 'usage-exports/',
    });
    expect(functionEnv(existing, 'ExportUsageLambdaFunction').STRIPE_SECRET_ARN).toBe(
      STRIPE_SECRET,
    );
    expect(resource(existing, 'ExportUsageErrorsAlarm').Properties).toMatchObject({
      Dimensions: [{ Name: 'FunctionName', Value: 'Ref:ExportUsageLambdaFunction' }],
      AlarmActions: ['Ref:AlarmTopic'],
    });
  });

  it('sends contributions to the endpoint with the token of that one secret, and alarms on failures', () => {
    expect(
      resource(existing, 'ExportCloudEventsEventSourceMappingDynamodbUsageTable').Properties
        .Enabled,
    ).toBe(true);
    expect(grants(existing, 'ExportCloudEventsRole')['secretsmanager:GetSecretValue']).toEqual([
      TOKEN_SECRET,
    ]);
    expect(functionEnv(existing, 'ExportCloudEventsLambdaFunction')).toMatchObject({
      CLOUDEVENTS_ENDPOINT: 'https://openmeter.example/api/v1/events',
      CLOUDEVENTS_TOKEN_SECRET_ARN: TOKEN_SECRET,
    });
    expect(resource(existing, 'ExportCloudEventsFailuresAlarm').Properties).toMatchObject({
      Dimensions: [{ Name: 'QueueName', Value: 'GetAtt:ExportCloudEventsFailures.QueueName' }],
      AlarmActions: ['Ref:AlarmTopic'],
    });
  });

  it('mails the alarms to the operator', () => {
    expect(resource(existing, 'AlarmEmailSubscription').Properties).toEqual({
      TopicArn: 'Ref:AlarmTopic',
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});
