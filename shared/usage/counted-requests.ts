import { endianness } from 'node:os';
import type { MeteringFields } from '../access-log/metering-fields.ts';
import type { FieldAttribution } from './attribute-fields.ts';
import { hashRequest, randomSeed, type RepeatCheck } from './seen-requests.ts';

/**
 * The requests counted, with `SeenRequests`' hashes, checked for repeats after the reading
 * rather than line by line: a hash is appended where the next one goes, instead of being
 * looked up at a random place of a table as large as the whole log's (a cache miss a line).
 * Every line counts (`add` is always true); if two hashes then turn out alike, the lines
 * must be read again with `SeenRequests`, which leaves the repeat out. That is the rare
 * case: S3 seldom delivers a record twice.
 */
export class CountedRequests implements RepeatCheck {
  #pairs = new Uint32Array(2 * 1024);
  #size = 0;
  readonly #seed: number;

  /** `seed`: the same as the `SeenRequests` these are compared with or handed to. */
  constructor(seed = randomSeed()) {
    this.#seed = seed;
  }

  add(fields: MeteringFields, attribution: FieldAttribution): true {
    if (2 * this.#size + 2 > this.#pairs.length) {
      const grown = new Uint32Array(2 * this.#pairs.length);
      grown.set(this.#pairs);
      this.#pairs = grown;
    }
    hashRequest(fields, attribution, this.#seed, this.#pairs, 2 * this.#size++);
    return true;
  }

  /** The requests counted, as pairs of 32-bit halves of their hashes (`SeenRequests.hashes`). */
  hashes(): Uint32Array {
    return this.#pairs.slice(0, 2 * this.#size);
  }
}

/**
 * Sorts hashes (pairs of 32-bit halves, as `hashes` gives them: from the start of their
 * buffer) in place by their 64-bit value, natively, as the unsigned 64-bit integers that
 * the pairs' bytes are.
 */
export function sortRequestHashes(pairs: Uint32Array): Uint32Array {
  new BigUint64Array(pairs.buffer, pairs.byteOffset, pairs.length / 2).sort();
  return pairs;
}

/** Where a pair's high half is: the bytes of a 64-bit integer are in the machine's order. */
const HIGH = endianness() === 'LE' ? 1 : 0;
const LOW = 1 - HIGH;

/** Whether sorted hashes (`sortRequestHashes`) hold one twice. */
export function hasRepeat(sorted: Uint32Array): boolean {
  for (let i = 2; i < sorted.length; i += 2) {
    if (sorted[i] === sorted[i - 2] && sorted[i + 1] === sorted[i - 1]) return true;
  }
  return false;
}

/** Whether two sets of sorted hashes (`sortRequestHashes`) have one in common. */
export function haveOneInCommon(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const difference =
      (a[i + HIGH] as number) - (b[j + HIGH] as number) ||
      (a[i + LOW] as number) - (b[j + LOW] as number);
    if (difference === 0) return true;
    if (difference < 0) i += 2;
    else j += 2;
  }
  return false;
}
