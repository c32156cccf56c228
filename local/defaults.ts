/**
 * What `npm start` runs and what `--local` reaches: the one place for the local stack's
 * ports, table, buckets and log prefix.
 */
export const LOCAL_DEFAULTS = {
  apiPort: 3000,
  s3Port: 4568,
  dynamodbPort: 8000,
  table: 'usage-meter',
  contentBucket: 'usage-meter-content',
  logBucket: 'usage-meter-logs',
  logPrefix: 'logs/',
  region: 'us-east-1',
} as const;
