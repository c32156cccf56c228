import { main } from '../../cli/main.ts';
import { captureIo } from './capture-io.ts';
import { sharedStack } from './local-stack.ts';

/**
 * `usage-meter …` run in-process against the shared local stack and one table (and content
 * bucket); resolves with the exit code and what it wrote.
 */
export function cliOn(tableName: string, bucket?: string) {
  const stack = sharedStack();
  const where = [
    '--dynamodb-endpoint',
    stack.endpoints.dynamodb,
    '--s3-endpoint',
    stack.endpoints.s3,
    '--table',
    tableName,
    ...(bucket === undefined ? [] : ['--bucket', bucket]),
  ];
  return async (...args: string[]) => {
    const io = captureIo();
    const code = await main([...args, ...where], io);
    return { code, out: io.out(), err: io.err() };
  };
}
