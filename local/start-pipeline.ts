import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event } from 'aws-lambda';
import type { LocalApi } from './api/local-api-server.ts';
import { startLinkApi } from './api/start-link-api.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack.ts';
import { startMetering } from './start-metering.ts';

export interface LocalPipelineOptions extends Omit<
  LocalStackOptions,
  'buckets' | 'logging' | 'notifications'
> {
  contentBucket: string;
  /** Access logs of the content bucket go here, under `logPrefix`, and are metered. */
  logBucket: string;
  logPrefix: string;
  tableName: string;
  /** Link settings (LINK_MAX_EXPIRES_IN, …) for the link API. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  apiPort?: number;
}

/** The running pipeline: the stack, the link API in front of it, and the metering. */
export interface LocalPipeline {
  stack: LocalStack;
  api: LocalApi;
  /** The meter-logs handler the log bucket's notifications invoke (to deliver one again). */
  meter: (event: S3Event) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The whole pipeline as in AWS, on the local stack: the content bucket's access logs are
 * delivered to the log bucket and metered as each arrives, and the link API serves links
 * into the content bucket. At start it meters whatever log object is still unmetered (a
 * crash's leftovers). What `npm start` and `npm run demo` run.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { contentBucket, logBucket, logPrefix, tableName, env, logger, apiPort, ...stackOptions } =
    options;
  let metering: ReturnType<typeof startMetering> | undefined;
  const stack = await startLocalStack({
    ...stackOptions,
    buckets: [contentBucket, logBucket],
    logging: [{ sourceBucket: contentBucket, targetBucket: logBucket, targetPrefix: logPrefix }],
    notifications: [
      {
        bucket: logBucket,
        prefix: logPrefix,
        // Set once the stack is up; log objects are delivered only after that.
        handler: (event) => metering?.meter(event) ?? Promise.resolve(),
      },
    ],
  });
  try {
    const api = await startLinkApi({
      stack,
      tableName,
      contentBucket,
      env,
      logger,
      usagePage: { logBucket, logPrefix },
      ...(apiPort === undefined ? {} : { port: apiPort }),
    });
    const started = startMetering({ stack, tableName, logBucket, logPrefix, logger });
    metering = started;
    // What a crash left unmetered (or delivered just now, before the metering was up).
    const caughtUp = await started.catchUp();
    if (caughtUp.metered > 0)
      logger.info('unmetered log objects metered at start', { ...caughtUp });
    return {
      stack,
      api,
      meter: started.meter,
      stop: async () => {
        await api.stop();
        await stack.stop();
        started.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
