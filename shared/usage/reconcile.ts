/** How far a reconcile run has got. */
export interface ReconcileProgress {
  listed: number;
  metered: number;
  alreadyMetered: number;
  failed: number;
}

/**
 * Meters every listed log object that has no summary yet, `concurrency` at a time. Safe to
 * re-run and to run beside the Lambda: metering is exactly once, so an object both meter
 * at the same moment is still counted once. A failure is counted and reported, and the
 * other objects go on; re-running retries it.
 */
export async function reconcileLogObjects(options: {
  keys: AsyncIterable<string>;
  meter: (key: string) => Promise<{ alreadyMetered: boolean }>;
  concurrency: number;
  onProgress?: (progress: Readonly<ReconcileProgress>) => void;
  onFailure?: (key: string, error: unknown) => void;
}): Promise<ReconcileProgress> {
  const progress: ReconcileProgress = { listed: 0, metered: 0, alreadyMetered: 0, failed: 0 };
  const running = new Set<Promise<void>>();
  for await (const key of options.keys) {
    progress.listed++;
    const task = options
      .meter(key)
      .then(({ alreadyMetered }) => {
        if (alreadyMetered) progress.alreadyMetered++;
        else progress.metered++;
      })
      .catch((error: unknown) => {
        progress.failed++;
        options.onFailure?.(key, error);
      })
      .finally(() => {
        running.delete(task);
        options.onProgress?.(progress);
      });
    running.add(task);
    if (running.size >= options.concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  return progress;
}
