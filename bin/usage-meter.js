#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so `npx usage-meter` works right after
// `npm install`, with no build step.
import { register } from 'tsx/esm/api';

// Development runs on Node 20 while the Lambdas run on nodejs22.x with pinned SDK versions,
// so the SDK's notice that future releases need Node 22 is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
