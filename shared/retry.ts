import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Whether a failure is worth another attempt. */
  retryable: (error: unknown) => boolean;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, retrying retryable failures after a "full jitter"
 * exponential backoff (a random wait up to base × 2^n, capped): writers that collided on a
 * hot item spread out instead of colliding again in step.
 */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 10;
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 2000;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= maxAttempts || !options.retryable(error)) throw error;
      await sleep(Math.random() * Math.min(cap, base * 2 ** n));
    }
  }
}
