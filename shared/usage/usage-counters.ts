/** The per-customer totals the billing system reads (docs/access-log-parser.md says what each counts). */
export interface UsageCounters {
  downloadBytes: number;
  downloadRequests: number;
  uploadBytes: number;
  uploadRequests: number;
  errorRequests: number;
  otherRequests: number;
}

export const COUNTER_NAMES = [
  'downloadBytes',
  'downloadRequests',
  'uploadBytes',
  'uploadRequests',
  'errorRequests',
  'otherRequests',
] as const satisfies ReadonlyArray<keyof UsageCounters>;

/** A fresh set of counters, all zero. */
export function emptyCounters(): UsageCounters {
  return {
    downloadBytes: 0,
    downloadRequests: 0,
    uploadBytes: 0,
    uploadRequests: 0,
    errorRequests: 0,
    otherRequests: 0,
  };
}

/** Adds `delta` into `into` and returns `into`. */
export function addCounters(into: UsageCounters, delta: UsageCounters): UsageCounters {
  for (const name of COUNTER_NAMES) into[name] += delta[name];
  return into;
}

/** Adds `delta` into the counters `totals` holds for `key`, which start at zero. */
export function addCountersAt<K>(
  totals: Map<K, UsageCounters>,
  key: K,
  delta: UsageCounters,
): void {
  totals.set(key, addCounters(totals.get(key) ?? emptyCounters(), delta));
}

/** Bytes downloaded plus uploaded: what a customer moved through the bucket. */
export function transferredBytes(counters: UsageCounters): number {
  return counters.downloadBytes + counters.uploadBytes;
}
