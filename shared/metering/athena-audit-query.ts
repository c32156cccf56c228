import { LATE_DELIVERY_DAYS } from './completeness.ts';
import { addDays, type Period, periodDays } from '../usage/period.ts';

/** SQL string literal. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The audit as Athena SQL over the log bucket, for periods beyond one machine: AWS's table
 * for server access logs (the RegexSerDe of its documentation), then every distinct record
 * of the period attributed by the same rule and summed per customer. It checks the signers,
 * the authentication, one `x-customer-id` and the counters' rules; it does not know which
 * customers exist (compare its rows with `usage-meter report`), leaves out browser form
 * uploads (billed by upload prefix) and requests of no counter but `otherRequests`, and reads
 * parameter names as written (a percent-encoded name is not decoded).
 */
export function athenaAuditQuery(options: {
  period: Period;
  logBucket: string;
  logPrefix: string;
  signers: readonly string[];
  table?: string;
}): { createTable: string; totals: string } {
  const table = options.table ?? 's3_access_logs';
  const { first, last } = periodDays(options.period);
  const signer = options.signers
    .map((arn) =>
      arn.includes(':assumed-role/')
        ? `requester LIKE ${literal(`${arn}/%`)} AND requester NOT LIKE ${literal(`${arn}/%/%`)}`
        : `requester = ${literal(arn)}`,
    )
    .map((condition) => `(${condition})`)
    .join('\n      OR ');
  const createTable = `-- The log objects delivered from ${first} to ${addDays(last, LATE_DELIVERY_DAYS)} hold the period's records.
CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (
  bucketowner STRING, bucket_name STRING, requestdatetime STRING, remoteip STRING,
  requester STRING, requestid STRING, operation STRING, key STRING, request_uri STRING,
  httpstatus STRING, errorcode STRING, bytessent BIGINT, objectsize BIGINT, totaltime STRING,
  turnaroundtime STRING, referrer STRING, useragent STRING, versionid STRING, hostid STRING,
  sigv STRING, ciphersuite STRING, authtype STRING, endpoint STRING, tlsversion STRING,
  accesspointarn STRING, aclrequired STRING)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES (
  'input.regex'='([^ ]*) ([^ ]*) \\\\[(.*?)\\\\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) (\\"[^\\"]*\\"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) (\\"[^\\"]*\\"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$')
LOCATION ${literal(`s3://${options.logBucket}/${options.logPrefix}`)}`;
  const totals = `WITH records AS (
  SELECT DISTINCT requestid, requestdatetime, requester, operation, request_uri, httpstatus,
    bytessent, objectsize, authtype, sigv
  FROM ${table}
  WHERE date(parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z'))
    BETWEEN date ${literal(first)} AND date ${literal(last)}
),
attributed AS (
  SELECT *, regexp_extract_all(request_uri, '[?&]x-customer-id=([^& ]*)', 1) AS ids
  FROM records
  WHERE authtype = 'QueryString' AND sigv = 'SigV4'
    AND (${signer})
)
SELECT ids[1] AS customer,
  SUM(CASE WHEN operation = 'REST.GET.OBJECT' AND httpstatus IN ('200', '206')
      THEN COALESCE(bytessent, 0) ELSE 0 END) AS downloadBytes,
  COUNT_IF(operation = 'REST.GET.OBJECT' AND httpstatus IN ('200', '206')) AS downloadRequests,
  SUM(CASE WHEN operation IN ('REST.PUT.OBJECT', 'REST.POST.OBJECT', 'REST.PUT.PART')
      AND httpstatus LIKE '2%' THEN COALESCE(objectsize, 0) ELSE 0 END) AS uploadBytes,
  COUNT_IF(operation IN ('REST.PUT.OBJECT', 'REST.POST.OBJECT', 'REST.PUT.PART')
      AND httpstatus LIKE '2%') AS uploadRequests,
  COUNT_IF(CAST(NULLIF(httpstatus, '-') AS INTEGER) >= 400) AS errorRequests
FROM attributed
WHERE cardinality(ids) = 1 AND regexp_like(ids[1], '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
GROUP BY ids[1]
ORDER BY ids[1]`;
  return { createTable, totals };
}
