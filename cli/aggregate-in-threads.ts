import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { aggregateFiles, type FilesShare } from './aggregate-files.ts';
import { combineLogTotals, type LogTotals } from './log-totals.ts';

/** What a thread reports: how far it has read (thread 0 only), then its totals. */
export type ThreadMessage =
  { kind: 'progress'; bytes: number; lines: number } | { kind: 'totals'; totals: LogTotals };

/**
 * Each thread's heap: a small young generation (the garbage of each chunk read dies young),
 * and an old generation well above what its tables hold (they are bounded, and the repeat
 * check's hashes live outside it), so that it is collected before it grows: every thread's
 * heap adds to the process's memory.
 */
export const THREAD_HEAP_MB = { young: 4, old: 64 };

/**
 * Adds up log files with `threads` threads, each counting its share of the lines
 * (`isSharedLine`): the totals, counts and samples one thread gives, in less time and
 * memory. `onProgress` hears how far the first thread has read.
 */
export async function aggregateInThreads(
  paths: string[],
  signers: string[],
  threads: number,
  onProgress: (bytes: number, lines: number) => void,
  heapMb = THREAD_HEAP_MB,
): Promise<LogTotals> {
  // The threads spill into one folder that is removed here, even after a thread was stopped
  // (or ran out of heap) before it could remove its own.
  const spillParent = mkdtempSync(join(tmpdir(), 'usage-meter-threads-'));
  const workers = Array.from({ length: threads }, (_, thread) =>
    startThread({ paths, signers, thread, threads, spillParent }, heapMb),
  );
  try {
    const parts = await Promise.all(workers.map((worker) => totalsOf(worker, onProgress)));
    return combineLogTotals(parts);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw error;
    // Not seen in practice: an input whose bounded tables still outgrow a thread's heap
    // (say, very long ids on every line) is read again here, without the bound.
    return await aggregateFiles({ paths, signers, thread: 0, threads: 1 }, onProgress);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    rmSync(spillParent, { recursive: true, force: true });
  }
}

function totalsOf(
  worker: Worker,
  onProgress: (bytes: number, lines: number) => void,
): Promise<LogTotals> {
  return new Promise((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'progress') onProgress(message.bytes, message.lines);
      else resolve(message.totals);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`an aggregate thread exited (${code})`)));
  });
}

function startThread(share: FilesShare, heapMb: typeof THREAD_HEAP_MB): Worker {
  // The CLI runs from its build (JavaScript), or from its TypeScript through tsx.
  const built = !import.meta.url.endsWith('.ts');
  const entry = new URL(`./aggregate-thread.${built ? 'js' : 'ts'}`, import.meta.url);
  const resourceLimits = {
    maxYoungGenerationSizeMb: heapMb.young,
    maxOldGenerationSizeMb: heapMb.old,
  };
  const options = { workerData: share, resourceLimits };
  if (built) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const load = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(load, { ...options, eval: true });
}
