import { nextLineStart, readBuffer, readFileLinesSync } from '../shared/access-log/read-lines.ts';
import { CountedRequests } from '../shared/usage/counted-requests.ts';
import { SeenRequests } from '../shared/usage/seen-requests.ts';
import { LogCounter, type LogTotals } from './log-totals.ts';

/**
 * A piece of the files that threads share out: the whole lines of file `input` from where
 * the line holding byte `from` ends (0: the file's start) to where the line holding byte
 * `to` ends. Pieces cut at the same bytes meet at the same line, whoever reads them.
 */
export interface Piece {
  input: number;
  from: number;
  to: number;
}

/** What one thread of `aggregate` reads: pieces of the files. */
export interface FilesShare {
  paths: string[];
  signers: string[];
  /** The files' pieces, in file order (default: each file whole, one piece per file). */
  pieces?: Piece[];
  /**
   * The next piece to claim, shared by the threads (an `Int32Array` over a
   * `SharedArrayBuffer`): each reads the pieces it claims first, until none is left.
   */
  claims?: Int32Array;
  /** Without `claims`: the pieces to read, by index (default: all of them). */
  only?: number[];
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
  /** Its rejection samples' `input` is the index of the piece they were read in. */
  totals: LogTotals;
  /** The pieces read, in the order read, with the lines each held (empty ones included). */
  read: PieceRead[];
  /** The requests counted, and those taken as seen (their `hashes`). */
  requests: SeenRequests | CountedRequests;
}

export interface PieceRead {
  piece: number;
  lines: number;
}

/**
 * Reads the lines of the files' pieces, without waiting between chunks, and adds them up;
 * `onProgress` hears how far it has read.
 */
export async function aggregateFiles(
  { paths, signers, pieces, claims, only, seed, seen: before, checkAfter, spillParent }: FilesShare,
  onProgress: (bytes: number, lines: number) => void,
): Promise<ShareTotals> {
  const all = pieces ?? paths.map((_, input) => ({ input, from: 0, to: Infinity }));
  const order = only ?? all.map((_, piece) => piece);
  let taken = 0;
  const next = claims === undefined ? () => order[taken++] : () => Atomics.add(claims, 0, 1);
  const requests = checkAfter === true ? new CountedRequests(seed) : seenAlready(seed, before);
  const counter = new LogCounter(signers, onProgress, { seen: requests, spillParent });
  try {
    const read: PieceRead[] = [];
    // One buffer for every piece, and its first 32 KiB to find where they start and end.
    const buffer = readBuffer();
    const lineEndAfter = (path: string, at: number) =>
      at === 0 || at === Infinity ? at : nextLineStart(path, at, buffer.subarray(0, 1 << 15));
    for (let piece = next(); piece !== undefined && piece < all.length; piece = next()) {
      const { input, from, to } = all[piece] as Piece;
      const path = paths[input] as string;
      const lines = readFileLinesSync(path, (line) => counter.add(line), {
        start: lineEndAfter(path, from),
        end: lineEndAfter(path, to),
        onChunk: (bytes) => counter.read(bytes),
        buffer,
      });
      counter.endInput(piece);
      read.push({ piece, lines });
    }
    return { totals: await counter.totals(), read, requests };
  } finally {
    counter.discard();
  }
}

function seenAlready(seed: number | undefined, hashes: Uint32Array | undefined): SeenRequests {
  const seen = new SeenRequests(seed);
  if (hashes !== undefined) seen.addHashes(hashes);
  return seen;
}
