/** `YYYY-mm-DD-HH-MM-SS-<UniqueString>`: the name S3 gives each log object after the prefix. */
const SIMPLE = /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z]{1,64}$/;
/** The partitioned format: `<account>/<region>/<source bucket>/YYYY/MM/DD/` before the name. */
const PARTITIONED =
  /^\d{12}\/[a-z0-9-]{1,32}\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z]{1,64}$/;

/**
 * Whether `key` is one S3 server access logging writes under `prefix`, in either key
 * format (docs/access-log-format.md). Anything else in the log bucket was put there by
 * someone else, and is not metered.
 *
 * @example
 * isAccessLogKey('logs/2026-11-22-10-15-30-E568B2907131C0C0', 'logs/'); // true
 * isAccessLogKey('logs/forged.log', 'logs/'); // false
 */
export function isAccessLogKey(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false;
  const name = key.slice(prefix.length);
  return SIMPLE.test(name) || PARTITIONED.test(name);
}
