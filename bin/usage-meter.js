#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { buildCli, currentBuild } from './cli-build.js';

// Development runs on Node 20 while the Lambdas run on nodejs22.x with pinned SDK versions,
// so the SDK's notice that future releases need Node 22 is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import(await entry());
process.exitCode = await main(process.argv.slice(2));

/** The built CLI, rebuilt if a source changed; its TypeScript through tsx when esbuild is absent. */
async function entry() {
  const built = currentBuild() ?? (await buildCli().catch(() => undefined));
  if (built !== undefined) return pathToFileURL(built).href;
  const { register } = await import('tsx/esm/api');
  register();
  return '../cli/main.ts';
}
