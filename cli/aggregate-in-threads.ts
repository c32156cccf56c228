import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { haveOneInCommon } from '../shared/usage/counted-requests.ts';
import { randomSeed } from '../shared/usage/seen-requests.ts';
import { aggregateFiles, type FilesShare, type Piece, type PieceRead } from './aggregate-files.ts';
import { combineLogTotals, type LogTotals } from './log-totals.ts';

/**
 * What a thread reports: how far it has read, then what it added up, the requests it
 * counted (their hashes, sorted: `sortRequestHashes`) and whether two of them are one.
 */
export type ThreadMessage =
  | { kind: 'progress'; bytes: number; lines: number }
  | { kind: 'totals'; totals: LogTotals; read: PieceRead[]; hashes: Uint32Array; repeats: boolean };

type ThreadResult = Omit<Extract<ThreadMessage, { kind: 'totals' }>, 'kind'>;

/**
 * Each thread's heap: a small young generation (the garbage of each chunk read dies young),
 * and an old generation well above what its tables hold (they are bounded, and the repeat
 * check's hashes live outside it), so that it is collected before it grows: every thread's
 * heap adds to the process's memory.
 */
export const THREAD_HEAP_MB = { young: 4, old: 64 };

/**
 * The size of the pieces the threads claim one after another: small enough that they finish
 * within a few milliseconds of each other whatever slows one down (halves read apart ended up
 * to 0.16 s apart on a 2-core machine, either first), large enough that claiming and
 * cutting are nothing beside reading.
 */
export const PIECE_BYTES = 4 * 1024 * 1024;

/**
 * Adds up log files with `threads` threads, which claim pieces of whole lines of the files
 * (`pieceBytes` each) one after another until none is left: the totals, counts and samples
 * one thread gives, in less time and memory. `onProgress` hears how far the threads have
 * read, together.
 *
 * The threads check for records S3 delivered twice after reading (`CountedRequests`), and
 * report the requests they counted (their hashes, under one seed). A thread whose requests
 * repeat, or that counted one a thread before it counted too (a copy in two threads'
 * pieces), reads its pieces again checking line by line (`SeenRequests`), taking those
 * threads' requests as seen: its copy is then a repeat, as for one thread.
 */
export async function aggregateInThreads(
  paths: string[],
  signers: string[],
  threads: number,
  onProgress: (bytes: number, lines: number) => void,
  { heapMb = THREAD_HEAP_MB, pieceBytes = PIECE_BYTES } = {},
): Promise<LogTotals> {
  keepTheThreadsWorkToThemselves();
  const pieces = paths.flatMap((path, input) => piecesOf(input, statSync(path).size, pieceBytes));
  const claims = new Int32Array(new SharedArrayBuffer(4));
  // The threads spill into one folder that is removed here, even after a thread was stopped
  // (or ran out of heap) before it could remove its own.
  const spillParent = mkdtempSync(join(tmpdir(), 'usage-meter-threads-'));
  const seed = randomSeed();
  const share: FilesShare = { paths, signers, pieces, seed, spillParent };
  const workers: Worker[] = [];
  const bytesRead = new Array<number>(threads).fill(0);
  const linesRead = new Array<number>(threads).fill(0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const run = (work: FilesShare, thread: number) => {
    const worker = startThread(work, heapMb);
    workers.push(worker);
    return resultOf(worker, (bytes, lines) => {
      bytesRead[thread] = bytes;
      linesRead[thread] = lines;
      onProgress(sum(bytesRead), sum(linesRead));
    });
  };
  try {
    const results = await Promise.all(
      Array.from({ length: threads }, (_, thread) =>
        run({ ...share, claims, checkAfter: true }, thread),
      ),
    );
    for (let thread = 0; thread < threads; thread++) {
      const { hashes, repeats, read } = results[thread] as ThreadResult;
      const earlier = results.slice(0, thread);
      if (repeats || earlier.some((result) => haveOneInCommon(result.hashes, hashes))) {
        const seen = joined(earlier.map((result) => result.hashes));
        const only = read.map(({ piece }) => piece);
        results[thread] = await run({ ...share, only, seen }, thread);
      }
    }
    const linesOf = new Map(results.flatMap(({ read }) => read.map((r) => [r.piece, r.lines])));
    return combineLogTotals(results.map(({ totals }) => numbered(totals, pieces, linesOf)));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw error;
    // Not seen in practice: an input whose bounded tables still outgrow a thread's heap
    // (say, very long ids on every line) is read again here, without the bound.
    return (await aggregateFiles({ paths, signers }, onProgress)).totals;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    rmSync(spillParent, { recursive: true, force: true });
  }
}

/** File `input`, `size` bytes, cut into pieces of about `pieceBytes` (one at least). */
function piecesOf(input: number, size: number, pieceBytes: number): Piece[] {
  const count = Math.max(1, Math.ceil(size / pieceBytes));
  return Array.from({ length: count }, (_, part) => ({
    input,
    from: Math.floor((size * part) / count),
    to: part === count - 1 ? Infinity : Math.floor((size * (part + 1)) / count),
  }));
}

function joined(parts: Uint32Array[]): Uint32Array {
  const all = new Uint32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/**
 * A thread's totals with its samples' pieces made files again, and their line numbers
 * counted from the start of the file: after the lines of the file's pieces before.
 */
function numbered(totals: LogTotals, pieces: Piece[], linesOf: Map<number, number>): LogTotals {
  const samples = totals.samples.map(({ input: index, line, reason }) => {
    const { input } = pieces[index] as Piece;
    let before = 0;
    for (let piece = index - 1; piece >= 0 && pieces[piece]?.input === input; piece--) {
      before += linesOf.get(piece) ?? 0;
    }
    return { input, line: line + before, reason };
  });
  return { ...totals, samples };
}

function resultOf(
  worker: Worker,
  onProgress: (bytes: number, lines: number) => void,
): Promise<ThreadResult> {
  return new Promise((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'progress') onProgress(message.bytes, message.lines);
      else if (message.kind === 'totals') resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`an aggregate thread exited (${code})`)));
  });
}

/**
 * Has the threads compile their hot code and collect their young garbage themselves,
 * rather than on V8's helper threads. Every core is busy reading, so the helpers only
 * compete with the readers, at a cost. Compiling (about a tenth of each thread's work: the
 * same functions compiled again in each thread's heap, and again after a deoptimization):
 * on 2 cores and 545 MB the helpers used 0.45 s of processor time against 0.15 s, and the
 * command took 8% longer. Young collections of a small young generation (under a
 * millisecond each) handed out in parallel: 3% longer. V8 flags are process-wide, and a
 * Worker cannot be given one; V8 reads these when an isolate starts, so set here they hold
 * for the threads started after it (and for no code already running). They change how code
 * is compiled and memory collected, never what it computes.
 */
function keepTheThreadsWorkToThemselves(): void {
  setFlagsFromString('--no-concurrent-recompilation');
  setFlagsFromString('--no-parallel-scavenge');
}

function startThread(share: FilesShare, heapMb: typeof THREAD_HEAP_MB): Worker {
  const resourceLimits = {
    maxYoungGenerationSizeMb: heapMb.young,
    maxOldGenerationSizeMb: heapMb.old,
  };
  const options = { workerData: share, resourceLimits };
  // The CLI runs from its build (JavaScript), or from its TypeScript through tsx.
  const built = !import.meta.url.endsWith('.ts');
  const entry = new URL(`./aggregate-thread.${built ? 'js' : 'ts'}`, import.meta.url);
  if (built) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const load = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(load, { ...options, eval: true });
}
