import { readFileLinesSync, type SourceLine } from '../shared/access-log/read-lines.ts';
import { LogCounter, type LogTotals } from './log-totals.ts';

/** Which lines of which files one thread of `aggregate` counts. */
export interface FilesShare {
  paths: string[];
  signers: string[];
  /** This thread's share, of `threads`: see `isSharedLine`. */
  thread: number;
  threads: number;
  /** Where rows spilled to disk go (default: the system's temporary folder). */
  spillParent?: string;
}

/**
 * Reads every line of the files, without waiting between chunks, and counts the lines of
 * this thread's share; `onProgress` hears how far it has read.
 */
export async function aggregateFiles(
  { paths, signers, thread, threads, spillParent }: FilesShare,
  onProgress: (bytes: number, lines: number) => void,
): Promise<LogTotals> {
  const counter = new LogCounter(signers, onProgress, spillParent);
  try {
    paths.forEach((path, input) => {
      readFileLinesSync(path, (line) => counter.add(line, isSharedLine(line, thread, threads)), {
        onChunk: (bytes) => counter.read(bytes),
      });
      counter.endInput(input);
    });
    return await counter.totals();
  } finally {
    counter.discard();
  }
}

/**
 * Whether a line is the share of thread `thread` of `threads`. Every thread reads every
 * line and counts those of its share, so each line is counted by exactly one thread. The
 * share goes by the line's length: a record S3 delivered twice has the same length both
 * times, so both copies reach the same thread, and its repeat check (`SeenRequests`) counts
 * the record once, as one thread reading all lines does.
 */
export function isSharedLine(line: SourceLine, thread: number, threads: number): boolean {
  return ('text' in line ? line.text.length : line.overlongChars) % threads === thread;
}
