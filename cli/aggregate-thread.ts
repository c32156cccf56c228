// One thread of `usage-meter aggregate` (see aggregate-in-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { aggregateFiles, type FilesShare } from './aggregate-files.ts';
import type { ThreadMessage } from './aggregate-in-threads.ts';

const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);
const { totals, lines, seen } = await aggregateFiles(workerData as FilesShare, (bytes, read) =>
  post({ kind: 'progress', bytes, lines: read }),
);
const hashes = seen.hashes();
post({ kind: 'totals', totals, lines, seen: hashes }, [hashes.buffer as ArrayBuffer]);
// Then whether it counted one of the requests the threads before it counted.
parentPort?.once('message', (earlier: Uint32Array) =>
  post({ kind: 'meets', meets: seen.includesAny(earlier) }),
);
