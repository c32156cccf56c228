import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../local/local-stack.ts';
import { findChromium } from './helpers/chromium.ts';

/** What every test file can `inject('localStack')`: the stack started once for the run. */
export interface SharedLocalStack {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  signerCredentials: { accessKeyId: string; secretAccessKey: string };
  signers: readonly string[];
  endpoints: { dynamodb: string; s3: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: SharedLocalStack;
  }
}

/**
 * Starts the local stack once (DynamoDB Local is a JVM: seconds to start) and stops it after
 * the run, whether tests passed or failed. Test files that need callbacks (notifications) or
 * on-demand log delivery start their own S3 server against this DynamoDB Local, because a
 * callback cannot cross from this process into a test worker.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Installs Debian's Chromium for the browser test where it is missing and can be, once,
  // before the test files run in parallel.
  findChromium();
  const stack = await startLocalStack({ buckets: ['shared-test-bucket'] });
  project.provide('localStack', {
    region: stack.region,
    credentials: stack.credentials,
    signerCredentials: stack.signerCredentials,
    signers: stack.signers,
    endpoints: stack.endpoints,
  });
  return () => stack.stop();
}
