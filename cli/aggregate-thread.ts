// One thread of `usage-meter aggregate` (see aggregate-in-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CountedRequests, hasRepeat, sortRequestHashes } from '../shared/usage/counted-requests.ts';
import { aggregateFiles, type FilesShare } from './aggregate-files.ts';
import type { ThreadMessage } from './aggregate-in-threads.ts';

const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);
const { totals, read, requests } = await aggregateFiles(workerData as FilesShare, (bytes, read) =>
  post({ kind: 'progress', bytes, lines: read }),
);
const hashes = sortRequestHashes(requests.hashes());
// Line by line (SeenRequests), a repeat was left out as it came.
const repeats = requests instanceof CountedRequests && hasRepeat(hashes);
post({ kind: 'totals', totals, read, hashes, repeats }, [hashes.buffer as ArrayBuffer]);
