import { randomBytes } from 'node:crypto';
import type { MeteringFields } from '../access-log/metering-fields.ts';
import type { FieldAttribution } from './attribute-fields.ts';

/**
 * The requests counted so far in a log object, to recognise a record S3 delivered twice: a
 * line with the same request ID that bills the same — same account and link, time,
 * status, Bytes Sent, Object Size, Total and Turn-Around Time, operation and key of the
 * same lengths — and has the same length as an earlier one. S3 gives every request an ID
 * of its own; the other values make sure that two lines billing differently are never
 * taken for one.
 *
 * Each is kept as a 64-bit hash in one typed array, 11 to 21 bytes a request and no string.
 * The hash is seeded per process, so no one can make two requests collide on purpose; by
 * chance, two of a billion requests collide with a probability below 3 in 100 million.
 */
export class SeenRequests implements RepeatCheck {
  #slots = new Uint32Array(2 * 1024);
  #size = 0;
  readonly #seed: number;

  /**
   * `seed`: give several the same one to compare what they saw (`hashes`, `addHashes`);
   * otherwise a random one.
   */
  constructor(seed = randomSeed()) {
    this.#seed = seed;
  }

  /** Adds the request (which has a request ID); false when it was there already. */
  add(fields: MeteringFields, attribution: FieldAttribution): boolean {
    hashRequest(fields, attribution, this.#seed, HASH, 0);
    return this.#insert(HASH[0] as number, HASH[1] as number);
  }

  /** The requests added, as pairs of 32-bit halves of their hashes (a copy). */
  hashes(): Uint32Array {
    const pairs = new Uint32Array(2 * this.#size);
    let at = 0;
    for (let i = 0; i < this.#slots.length; i += 2) {
      if (this.#isHeld(i)) {
        pairs[at++] = this.#slots[i] as number;
        pairs[at++] = this.#slots[i + 1] as number;
      }
    }
    return pairs;
  }

  /** Takes the requests another set with the same seed saw (`hashes`) as seen already. */
  addHashes(pairs: Uint32Array): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      this.#insert(pairs[i] as number, pairs[i + 1] as number);
    }
  }

  /** Adds a hash; false when it was there already. */
  #insert(h1: number, h2: number): boolean {
    // Slots are pairs: grow past three quarters full (linear probing stays short there).
    if ((this.#size + 1) * 8 > this.#slots.length * 3) this.#grow();
    const at = this.#slotOf(h1, h2);
    if (this.#isHeld(at)) return false;
    this.#slots[at] = h1;
    this.#slots[at + 1] = h2;
    this.#size++;
    return true;
  }

  /** Whether the slot at `at` holds a hash: one is never 0/0, which marks an empty slot. */
  #isHeld(at: number): boolean {
    return this.#slots[at] !== 0 || this.#slots[at + 1] !== 0;
  }

  /** Where the hash is held, or the empty slot where it would go. */
  #slotOf(h1: number, h2: number): number {
    const slots = this.#slots;
    const mask = slots.length / 2 - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      const a = slots[2 * i] as number;
      const b = slots[2 * i + 1] as number;
      if ((a === h1 && b === h2) || (a === 0 && b === 0)) return 2 * i;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.#insert(old[i] as number, old[i + 1] as number);
    }
  }
}

/** A seed no one outside the process can know. */
export function randomSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}

/** What a repeat check does with each request counted: false when it is a repeat. */
export interface RepeatCheck {
  add(fields: MeteringFields, attribution: FieldAttribution): boolean;
}

const HASH = new Uint32Array(2);
// The hash being computed (cyrb53's two lanes), shared to spare an allocation a line.
let h1 = 0;
let h2 = 0;

/**
 * Hashes what makes a request the one it is (see `SeenRequests`) under `seed` into
 * `into[at]` and `into[at + 1]`: the two 32-bit halves, never both 0.
 */
export function hashRequest(
  fields: MeteringFields,
  attribution: FieldAttribution,
  seed: number,
  into: Uint32Array,
  at: number,
): void {
  const { line } = fields;
  h1 = 0xdeadbeef ^ seed;
  h2 = 0x41c6ce57 ^ seed;
  mixRange(line, fields.requestIdStart, fields.requestIdEnd);
  mix32(fields.operationEnd - fields.operationStart);
  mix32(fields.keyEnd - fields.keyStart);
  const account = attribution.customerId ?? attribution.untracked ?? '';
  mixRange(account, 0, account.length);
  mixRange(attribution.linkId ?? '', 0, attribution.linkId?.length ?? 0);
  mix32(line.length);
  mix(fields.time);
  mix(fields.httpStatus);
  mix(fields.bytesSent);
  mix(fields.objectSize);
  mix(fields.totalTime);
  mix(fields.turnAroundTime);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // 0/0 marks an empty slot.
  if (h1 === 0 && h2 === 0) h1 = 1;
  into[at] = h1;
  into[at + 1] = h2;
}

/** Mixes a whole number below 2^53 into the hash: its low 32 bits and the rest. */
function mix(value: number): void {
  h1 = Math.imul(h1 ^ (value | 0), 2654435761);
  h2 = Math.imul(h2 ^ Math.floor(value / 4294967296), 1597334677);
  h2 = Math.imul(h2 ^ (value | 0), 2246822507);
}

/** `mix` of a whole number below 2^32, whose upper part is 0: the same, without a division. */
function mix32(value: number): void {
  h1 = Math.imul(h1 ^ value, 2654435761);
  h2 = Math.imul(Math.imul(h2, 1597334677) ^ value, 2246822507);
}

/**
 * Mixes the characters of `text` from `start` to `end` (none for a null field): their count
 * first, so that where one field ends and the next begins is never ambiguous, then two at a
 * time (a UTF-16 code unit has 16 bits), an odd last one alone.
 */
function mixRange(text: string, start: number, end: number): void {
  mix32(end - start);
  let i = start;
  for (; i + 1 < end; i += 2) mix32((text.charCodeAt(i) << 16) | text.charCodeAt(i + 1));
  if (i < end) mix32(text.charCodeAt(i));
}
