import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUTS, formatModel, scaleModel } from '../../../scripts/scale-model.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'scaling.md'), 'utf8');

/** The block of docs/scaling.md between `<!-- scale-model:name -->` and its end, cells trimmed. */
function block(name: string): string {
  const text = doc
    .split(`<!-- scale-model:${name} -->`)[1]
    ?.split(`<!-- /scale-model:${name} -->`)[0];
  return normalise(text ?? '');
}
const normalise = (text: string) => text.trim().replace(/ +/g, ' ').replace(/-{3,}/g, '---');

describe('the scale model', () => {
  it('is what docs/scaling.md shows, for this design and for batches of 150 objects', () => {
    expect(block('default')).toBe(normalise(formatModel(scaleModel())));
    expect(block('batched')).toBe(
      normalise(formatModel(scaleModel({ ...DEFAULT_INPUTS, objectsPerBatch: 150 }))),
    );
  });

  it('writes per log object what the data model needs: 8 units a customer, 2 a link', () => {
    const { perUnit } = scaleModel({ ...DEFAULT_INPUTS, customers: 1, hotCustomerShare: 1 });
    // One customer and three untracked reasons: ledger, daily and monthly items in
    // transactions, two index entries for the customer, the links, their markers, the
    // claim and the summary.
    const links = perUnit.links;
    const markers = Math.ceil(links / 99);
    expect(perUnit.writeUnits).toBeCloseTo(2 + 2 * (3 * 4 + links + markers) + 2, 6);
  });

  it('finds the index partition full at about 2.6 billion requests a month', () => {
    const gsi = (requests: number) =>
      scaleModel({ ...DEFAULT_INPUTS, trackedRequestsPerMonth: requests }).limits.find((l) =>
        l.limit.startsWith('the GSI1 partition'),
      );
    expect((gsi(1e9)?.load ?? 0) / (gsi(1e9)?.ceiling ?? 1)).toBeLessThan(1);
    expect((gsi(2.5e9)?.load ?? 0) / (gsi(2.5e9)?.ceiling ?? 1)).toBeLessThan(1);
    expect((gsi(2.7e9)?.load ?? 0) / (gsi(2.7e9)?.ceiling ?? 1)).toBeGreaterThan(1);
  });
});
