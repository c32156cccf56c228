// One thread of `usage-meter aggregate` (see aggregate-in-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { aggregateFiles, type FilesShare } from './aggregate-files.ts';
import type { ThreadMessage } from './aggregate-in-threads.ts';

const share = workerData as FilesShare;
const post = (message: ThreadMessage) => parentPort?.postMessage(message);
const totals = await aggregateFiles(share, (bytes, lines) => {
  if (share.thread === 0) post({ kind: 'progress', bytes, lines });
});
post({ kind: 'totals', totals });
