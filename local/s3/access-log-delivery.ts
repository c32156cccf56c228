import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Where a source bucket's access logs go, as in S3's `TargetBucket` / `TargetPrefix`. */
export interface LogTarget {
  targetBucket: string;
  targetPrefix: string;
}

/** Writes one log object; the local S3 server does it through its own HTTP API. */
export type PutLogObject = (bucket: string, key: string, body: string) => Promise<void>;

const OPEN = '.open';
const SEALED = '.sealed';

/**
 * Collects access log records per source bucket and delivers them as log objects named
 * `<prefix>YYYY-mm-DD-HH-MM-SS-<UNIQUE>`, one object per source bucket (as S3 does).
 *
 * Records are durable as soon as they are added: each is appended to a spool file in
 * `spoolDir` (`<bucket>.open`), which survives a `kill -9` of the process. A delivery first
 * seals each open file under the key it will be written as (`<bucket>~<key>.sealed`, an
 * atomic rename), then writes the sealed files and removes each once written. A write that
 * fails, or a process that dies in the middle, leaves its sealed file: the next delivery
 * (in this process or the next one on the same folder) writes it again under the same key,
 * so a log object is whole or written again, and no record is lost or delivered twice.
 */
export class AccessLogDelivery {
  readonly #targets: ReadonlyMap<string, LogTarget>;
  readonly #put: PutLogObject;
  readonly #now: () => Date;
  readonly #spoolDir: string;
  #delivering: Promise<string[]> = Promise.resolve([]);

  constructor(
    targets: ReadonlyMap<string, LogTarget>,
    put: PutLogObject,
    now: () => Date,
    spoolDir: string,
  ) {
    this.#targets = targets;
    this.#put = put;
    this.#now = now;
    this.#spoolDir = spoolDir;
  }

  /** True when requests to this bucket are logged. */
  isLogged(bucket: string): boolean {
    return this.#targets.has(bucket);
  }

  /** Records one line (no newline) of a logged bucket, durably. */
  add(sourceBucket: string, line: string): void {
    appendFileSync(join(this.#spoolDir, `${encodeURIComponent(sourceBucket)}${OPEN}`), `${line}\n`);
  }

  /**
   * Writes everything recorded so far (and anything a crash left) and resolves with the keys
   * written. Deliveries run one after another.
   */
  deliver(): Promise<string[]> {
    const run = this.#delivering.catch(() => []).then(() => this.#deliverPending());
    this.#delivering = run;
    return run;
  }

  async #deliverPending(): Promise<string[]> {
    for (const name of readdirSync(this.#spoolDir).filter((n) => n.endsWith(OPEN))) {
      const sourceBucket = decodeURIComponent(name.slice(0, -OPEN.length));
      const target = this.#targets.get(sourceBucket);
      if (target === undefined) continue;
      const key = `${target.targetPrefix}${formatKeyTime(this.#now())}-${randomBytes(8).toString('hex').toUpperCase()}`;
      renameSync(
        join(this.#spoolDir, name),
        join(
          this.#spoolDir,
          `${encodeURIComponent(sourceBucket)}~${encodeURIComponent(key)}${SEALED}`,
        ),
      );
    }
    const written: string[] = [];
    const failures: unknown[] = [];
    const sealed = readdirSync(this.#spoolDir)
      .filter((n) => n.endsWith(SEALED))
      .map((name) => {
        const [bucket = '', key = ''] = name.slice(0, -SEALED.length).split('~');
        return { name, sourceBucket: decodeURIComponent(bucket), key: decodeURIComponent(key) };
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { name, sourceBucket, key } of sealed) {
      const target = this.#targets.get(sourceBucket);
      if (target === undefined) continue;
      const file = join(this.#spoolDir, name);
      try {
        await this.#put(target.targetBucket, key, readFileSync(file, 'utf8'));
        unlinkSync(file);
        written.push(key);
      } catch (error) {
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
