// Run as a child process by the lifecycle test: starts a full local stack, reports what it
// started, then dies of an uncaught error without calling stop().
import { startLocalStack } from '../../local/local-stack.ts';

const stack = await startLocalStack();
process.stdout.write(`${JSON.stringify({ pid: stack.dynamodbPid, endpoints: stack.endpoints })}\n`);
throw new Error('crash on purpose, with the stack still running');
