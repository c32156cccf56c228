import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parsePeriod } from '../../shared/usage/period.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';
import { USAGE_PAGE_HTML } from './usage-page-html.ts';
import { readUsagePageData } from './usage-page-data.ts';

/**
 * The usage page's two local routes beside the link API: `GET /` (the page) and
 * `GET /local/usage.json?period=2026-11` (its data). They exist only on `npm start`, which
 * listens on 127.0.0.1: they show every customer and need no key.
 */
export function usagePageRoutes(options: {
  store: UsageStore;
  s3: S3Client;
  logBucket: string;
  logPrefix: string;
  now: () => Date;
}): (method: string, url: URL) => Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  return async (method, url) => {
    if (method !== 'GET') return undefined;
    if (url.pathname === '/') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: USAGE_PAGE_HTML,
      };
    }
    if (url.pathname !== '/local/usage.json') return undefined;
    const text = url.searchParams.get('period') ?? '';
    const month = parsePeriod(text);
    if (month?.kind !== 'month') {
      return json(400, { message: `period must be a month such as 2026-11, got '${text}'` });
    }
    const data = await readUsagePageData({
      ...options,
      month,
      today: options.now().toISOString().slice(0, 10),
    });
    return json(200, data);
  };
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, body: JSON.stringify(body) };
}
