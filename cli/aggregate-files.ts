import { readFileLinesSync } from '../shared/access-log/read-lines.ts';
import { CountedRequests } from '../shared/usage/counted-requests.ts';
import { SeenRequests } from '../shared/usage/seen-requests.ts';
import { LogCounter, type LogTotals } from './log-totals.ts';

/** What one thread of `aggregate` reads: a range of whole lines of each file. */
export interface FilesShare {
  paths: string[];
  signers: string[];
  /** Per file, the bytes `[start, end)` to read; the whole file when absent. */
  ranges?: Array<[number, number]>;
  /** The repeat check's seed, the same in every thread (random when absent). */
  seed?: number;
  /** Requests to take as seen already (`SeenRequests.hashes` of the threads before). */
  seen?: Uint32Array;
  /**
   * Check for repeats after the reading (`CountedRequests`), not line by line: every line
   * counts, and the share must be read again if its requests repeat (`seen` is then unused).
   */
  checkAfter?: boolean;
  /** Where rows spilled to disk go (default: the system's temporary folder). */
  spillParent?: string;
}

/** What one share adds up, and what the threads compare. */
export interface ShareTotals {
  totals: LogTotals;
  /** Per file, the lines read, empty ones included. */
  lines: number[];
  /** The requests counted, and those taken as seen (their `hashes`). */
  requests: SeenRequests | CountedRequests;
}

/**
 * Reads the lines of the files (of their ranges), without waiting between chunks, and adds
 * them up; `onProgress` hears how far it has read.
 */
export async function aggregateFiles(
  { paths, signers, ranges, seed, seen: before, checkAfter, spillParent }: FilesShare,
  onProgress: (bytes: number, lines: number) => void,
): Promise<ShareTotals> {
  const requests = checkAfter === true ? new CountedRequests(seed) : seenAlready(seed, before);
  const counter = new LogCounter(signers, onProgress, { seen: requests, spillParent });
  try {
    const lines = paths.map((path, input) => {
      const [start, end] = ranges?.[input] ?? [0, Infinity];
      const read = readFileLinesSync(path, (line) => counter.add(line), {
        start,
        end,
        onChunk: (bytes) => counter.read(bytes),
      });
      counter.endInput(input);
      return read;
    });
    return { totals: await counter.totals(), lines, requests };
  } finally {
    counter.discard();
  }
}

function seenAlready(seed: number | undefined, hashes: Uint32Array | undefined): SeenRequests {
  const seen = new SeenRequests(seed);
  if (hashes !== undefined) seen.addHashes(hashes);
  return seen;
}
