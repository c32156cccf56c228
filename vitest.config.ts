import { defineConfig } from 'vitest/config';

// Development runs on Node 20 while the Lambdas run on nodejs22.x with pinned SDK versions, so
// the SDK's notice that future releases need Node 22 is noise here (test workers inherit this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts DynamoDB Local once for the whole run; see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
  },
});
