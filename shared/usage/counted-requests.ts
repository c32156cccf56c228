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
 * The hashes (pairs of halves) as sorted numbers, to find repeats in (`hasRepeat`,
 * `haveOneInCommon`): each the hash's upper 53 bits, which a float holds exactly. Two
 * requests alike have the same number; two different ones rarely do (as rarely as two of
 * 2^53), and are then taken for a repeat, read again and told apart by the full hash.
 */
export function sortedRequestKeys(pairs: Uint32Array): Float64Array {
  const keys = new Float64Array(pairs.length / 2);
  for (let i = 0; i < keys.length; i++) {
    keys[i] = (pairs[2 * i] as number) * 2 ** 21 + ((pairs[2 * i + 1] as number) >>> 11);
  }
  return keys.sort();
}

/** Whether sorted keys hold one twice. */
export function hasRepeat(keys: Float64Array): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) return true;
  return false;
}

/** Whether two sets of sorted keys have one in common. */
export function haveOneInCommon(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}
