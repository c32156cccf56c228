import { describe, expect, it } from 'vitest';
import { runWalkthrough } from '../../local/demo-walkthrough.ts';
import { emptyCounters } from '../../shared/usage/usage-counters.ts';
import { sharedStack } from '../helpers/local-stack.ts';

describe('the whole pipeline, as npm run demo walks it', () => {
  it('meters exactly what the clients received and sent, with each log delivered twice', async () => {
    const said: string[] = [];
    const result = await runWalkthrough({
      say: (line) => said.push(line),
      dynamodbEndpoint: sharedStack().endpoints.dynamodb,
    });
    expect(said).toContain('initech: downloaded the first 10,000 bytes (206)');
    expect(said).toContain('globex: a link re-attributed to acme was refused (403)');
    expect(said).toContain('acme: a link used after it expired was refused (403)');
    expect(said).toContain('initech: uploaded 12,345 bytes through a PUT link (200)');
    expect(said).toContain('the same log objects delivered a second time: counted once');
    expect(result.logObjects.length).toBeGreaterThan(0);
    expect(result.customers).toEqual([
      {
        customerId: 'acme',
        expected: {
          ...emptyCounters(),
          downloadBytes: 600_000,
          downloadRequests: 2,
        },
        metered: {
          ...emptyCounters(),
          downloadBytes: 600_000,
          downloadRequests: 2,
        },
      },
      {
        customerId: 'globex',
        expected: { ...emptyCounters(), downloadBytes: 300_000, downloadRequests: 1 },
        metered: { ...emptyCounters(), downloadBytes: 300_000, downloadRequests: 1 },
      },
      {
        customerId: 'initech',
        expected: {
          ...emptyCounters(),
          downloadBytes: 10_000,
          downloadRequests: 1,
          uploadBytes: 12_345,
          uploadRequests: 1,
        },
        metered: {
          ...emptyCounters(),
          downloadBytes: 10_000,
          downloadRequests: 1,
          uploadBytes: 12_345,
          uploadRequests: 1,
        },
      },
    ]);
    // The tampered and the expired link; the operator's upload of the book, and its own URL
    // that named acme.
    const operator = {
      ...emptyCounters(),
      downloadBytes: 300_000,
      downloadRequests: 1,
      uploadBytes: 300_000,
      uploadRequests: 1,
    };
    expect(result.untracked).toEqual([
      {
        reason: 'auth-failed',
        expected: { ...emptyCounters(), errorRequests: 2 },
        metered: { ...emptyCounters(), errorRequests: 2 },
      },
      {
        reason: 'foreign-signer',
        expected: operator,
        metered: operator,
      },
    ]);
    expect(said).toContain(
      'operator: a URL it presigned for acme downloaded the book, billed to nobody (200)',
    );
    expect(result.agree).toBe(true);
  });
});
