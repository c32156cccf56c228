// Run as a child process by the lifecycle test: starts a full local stack with its files in
// the folder it is given (which the test removes), reports what it started, then dies of an
// uncaught error without calling stop().
import { startLocalStack } from '../../local/local-stack.ts';

const stack = await startLocalStack({ dataDir: process.argv[2] as string });
process.stdout.write(`${JSON.stringify({ pid: stack.dynamodbPid, endpoints: stack.endpoints })}\n`);
throw new Error('crash on purpose, with the stack still running');
