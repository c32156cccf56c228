import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, TooManyRequestsError, UnauthorizedError, ValidationError } from './errors.ts';

/**
 * Responses may carry presigned URLs, which are bearer credentials: no cache (browser,
 * proxy or CDN) may keep them.
 */
const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/** A JSON response. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The response for an error: an exposed `AppError` shows its message (and every field
 * problem); anything else is a 500 that says only which request failed, so no internals
 * reach the caller.
 */
export function errorResponse(
  error: unknown,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  if (!(error instanceof AppError) || !error.expose) {
    return jsonResponse(500, {
      error: { code: 'InternalError', message: 'internal error', requestId },
    });
  }
  return jsonResponse(
    error.status,
    {
      error: {
        code: error.name,
        message: error.message,
        requestId,
        ...(error instanceof ValidationError ? { problems: error.problems } : {}),
        ...(error instanceof ValidationError && error.omittedProblems > 0
          ? { omittedProblems: error.omittedProblems }
          : {}),
      },
    },
    error instanceof UnauthorizedError
      ? { 'www-authenticate': 'Bearer' }
      : error instanceof TooManyRequestsError
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : {},
  );
}
