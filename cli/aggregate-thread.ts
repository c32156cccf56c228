// One thread of `usage-meter aggregate` (see aggregate-in-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CountedRequests, hasRepeat, sortedRequestKeys } from '../shared/usage/counted-requests.ts';
import { aggregateFiles, type FilesShare } from './aggregate-files.ts';
import type { ThreadMessage } from './aggregate-in-threads.ts';

const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);
const { totals, lines, requests } = await aggregateFiles(workerData as FilesShare, (bytes, read) =>
  post({ kind: 'progress', bytes, lines: read }),
);
const hashes = requests.hashes();
const keys = sortedRequestKeys(hashes);
// Line by line (SeenRequests), a repeat was left out as it came.
const mayRepeat = requests instanceof CountedRequests && hasRepeat(keys);
post({ kind: 'totals', totals, lines, hashes, keys, mayRepeat }, [
  hashes.buffer as ArrayBuffer,
  keys.buffer as ArrayBuffer,
]);
