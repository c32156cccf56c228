import { randomBytes } from 'node:crypto';

/** Where a source bucket's access logs go, as in S3's `TargetBucket` / `TargetPrefix`. */
export interface LogTarget {
  targetBucket: string;
  targetPrefix: string;
}

/** Writes one log object; the local S3 server does it through its own HTTP API. */
export type PutLogObject = (bucket: string, key: string, body: string) => Promise<void>;

/**
 * Buffers access log records per source bucket and delivers them as log objects named
 * `<prefix>YYYY-mm-DD-HH-MM-SS-<UNIQUE>`, one object per source bucket (as S3 does).
 */
export class AccessLogDelivery {
  readonly #targets: ReadonlyMap<string, LogTarget>;
  readonly #put: PutLogObject;
  readonly #now: () => Date;
  #pending = new Map<string, string[]>();
  #delivering: Promise<string[]> = Promise.resolve([]);

  constructor(targets: ReadonlyMap<string, LogTarget>, put: PutLogObject, now: () => Date) {
    this.#targets = targets;
    this.#put = put;
    this.#now = now;
  }

  /** True when requests to this bucket are logged. */
  isLogged(bucket: string): boolean {
    return this.#targets.has(bucket);
  }

  /** Queues one record (a formatted line, no newline) of a logged bucket. */
  add(sourceBucket: string, line: string): void {
    const lines = this.#pending.get(sourceBucket);
    if (lines) lines.push(line);
    else this.#pending.set(sourceBucket, [line]);
  }

  /**
   * Writes everything queued so far and resolves with the keys written. Deliveries run
   * one after another; records whose write fails are queued again, so none is lost.
   */
  deliver(): Promise<string[]> {
    const run = this.#delivering.catch(() => []).then(() => this.#deliverPending());
    this.#delivering = run;
    return run;
  }

  async #deliverPending(): Promise<string[]> {
    const batch = this.#pending;
    this.#pending = new Map();
    const written: string[] = [];
    const failures: unknown[] = [];
    for (const [sourceBucket, lines] of batch) {
      const target = this.#targets.get(sourceBucket);
      if (!target) continue;
      const key = `${target.targetPrefix}${formatKeyTime(this.#now())}-${randomBytes(8).toString('hex').toUpperCase()}`;
      try {
        await this.#put(target.targetBucket, key, `${lines.join('\n')}\n`);
        written.push(key);
      } catch (error) {
        for (const line of lines) this.add(sourceBucket, line);
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `could not deliver ${failures.length} log object(s)`);
    }
    return written;
  }
}

/** `YYYY-mm-DD-HH-MM-SS` in UTC, as in S3's simple log key format. */
function formatKeyTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[T:]/g, '-');
}
