import { readFileLinesSync, type SourceLine } from '../shared/access-log/read-lines.ts';
import { createOfflineAttributionRules } from '../shared/usage/attribution-rules.ts';
import { UsageAggregator } from '../shared/usage/usage-aggregator.ts';
import { type InputRejection, inputSamples, type LogTotals, logTotals } from './log-totals.ts';

/** Which lines of which files one thread of `aggregate` counts. */
export interface FilesShare {
  paths: string[];
  signers: string[];
  /** This thread's share, of `threads`: see `isSharedLine`. */
  thread: number;
  threads: number;
}

const PROGRESS_EVERY_LINES = 10_000;

/**
 * Reads every line of the files, without waiting between chunks, and counts the lines of
 * this thread's share; `onProgress` hears how far it has read.
 */
export async function aggregateFiles(
  { paths, signers, thread, threads }: FilesShare,
  onProgress: (bytes: number, lines: number) => void,
): Promise<LogTotals> {
  const usage = new UsageAggregator(createOfflineAttributionRules(signers));
  try {
    const samples: InputRejection[] = [];
    let bytes = 0;
    let lines = 0;
    paths.forEach((path, input) => {
      const before = usage.samples.length;
      readFileLinesSync(
        path,
        (line) => {
          if (isSharedLine(line, thread, threads)) usage.add(line);
          if (++lines % PROGRESS_EVERY_LINES === 0) onProgress(bytes, lines);
        },
        { onChunk: (read) => (bytes += read) },
      );
      samples.push(...inputSamples(usage.samples.slice(before), input));
    });
    onProgress(bytes, lines);
    return await logTotals(usage, samples);
  } finally {
    usage.discard();
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
