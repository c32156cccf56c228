import { defineConfig } from 'vitest/config';

// Development runs on Node 20 while the Lambdas run on nodejs22.x with pinned SDK versions, so
// the SDK's notice that future releases need Node 22 is noise here (test workers inherit this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
    projects: [
      {
        extends: true,
        // Pure code: no Java, no network, seconds (`npm run test:unit`).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // Starts DynamoDB Local once for these tests; see test/global-setup.ts.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
