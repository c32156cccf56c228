import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authenticateCaller } from '../../shared/customers/authenticate-caller.ts';
import type { Customer } from '../../shared/customers/customer.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import {
  BudgetExhaustedError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../../shared/errors.ts';
import { errorResponse, jsonResponse } from '../../shared/http.ts';
import { LINK_ID_PATTERN } from '../../shared/links/link-id.ts';
import type { LinkIssuer } from '../../shared/links/link-issuer.ts';
import type { LinkRateLimiter } from '../../shared/links/link-rate-limiter.ts';
import type { LinkRegistry } from '../../shared/links/link-registry.ts';
import { validateLinkRequest } from '../../shared/links/link-request.ts';
import { budgetStatus, readBudgetStatus } from '../../shared/usage/budget.ts';
import { parsePeriod } from '../../shared/usage/period.ts';
import { settlementOf } from '../../shared/usage/settlement.ts';
import { emptyCounters } from '../../shared/usage/usage-counters.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

/** The routes the handler serves, as API Gateway names them (serverless.yml declares these). */
export const ISSUE_LINK_ROUTES = ['POST /links', 'GET /links/{linkId}', 'GET /usage'] as const;

export interface IssueLinkDeps {
  customers: CustomerStore;
  issuer: LinkIssuer;
  registry: LinkRegistry;
  rateLimiter: LinkRateLimiter;
  usage: UsageStore;
  maxExpiresIn: number;
  /** How long after its end a period is open (`GET /usage` says whether it settled). */
  settleWindowHours: number;
  logger: Logger;
  now: () => Date;
}

type Route = (
  event: APIGatewayProxyEventV2,
  caller: Customer,
  context: RequestContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** What a route adds to the invocation's log line; never a URL, a signature or a key. */
interface RequestContext {
  log: Record<string, string | number>;
}

/**
 * The link API (API Gateway HTTP API, payload 2.0): `POST /links` issues a tracked link,
 * `GET /links/{linkId}` shows one of the caller's links with its usage so far, and
 * `GET /usage?period=` the caller's own totals for a month or a day, whether that period
 * has settled and, for a month, where the caller stands against its byte budget. Every call
 * is authenticated by its API key; every outcome is one log line.
 */
export function createIssueLinkHandler(deps: IssueLinkDeps) {
  const routes: Record<(typeof ISSUE_LINK_ROUTES)[number], Route> = {
    'POST /links': async (event, customer, context) => {
      const request = validateLinkRequest(readJsonBody(event), deps.maxExpiresIn);
      context.log.method = request.method;
      const now = deps.now();
      // Before the rate limit: a refused link must not use up one of the minute's.
      const budget = await readBudgetStatus(deps.usage, customer, now.toISOString().slice(0, 7));
      if (budget?.reached === true) {
        throw new BudgetExhaustedError(
          `the monthly byte budget of ${budget.monthlyBytes} bytes is reached for ${budget.month} (${budget.usedBytes} bytes metered so far): no new links until the month ends`,
        );
      }
      await deps.rateLimiter.take(customer.customerId, now);
      const link = await deps.issuer.issue(customer, request);
      context.log.linkId = link.linkId;
      return jsonResponse(201, link);
    },
    'GET /links/{linkId}': async (event, customer, context) => {
      const linkId = event.pathParameters?.linkId ?? '';
      const found = LINK_ID_PATTERN.test(linkId)
        ? await deps.registry.find(linkId, deps.now())
        : undefined;
      // Another customer's link is "not found": its existence is not the caller's business.
      if (found === undefined || found.link.customerId !== customer.customerId) {
        throw new NotFoundError(`no link ${linkId}`);
      }
      context.log.linkId = linkId;
      return jsonResponse(200, { ...found.link, usage: found.usage });
    },
    'GET /usage': async (event, customer) => {
      const text = event.queryStringParameters?.period;
      const period = text === undefined ? undefined : parsePeriod(text);
      if (period === undefined) {
        throw new ValidationError([
          { field: 'period', problem: 'must be a month (2026-11) or a day (2026-11-22)' },
        ]);
      }
      const account = { kind: 'customer', customerId: customer.customerId } as const;
      const totals = (await deps.usage.getTotals(account, period)) ?? emptyCounters();
      const budget = customer.monthlyByteBudget;
      return jsonResponse(200, {
        customerId: customer.customerId,
        period: period.value,
        ...settlementOf(period, deps.now(), deps.settleWindowHours),
        ...totals,
        ...(budget !== undefined && period.kind === 'month'
          ? { budget: budgetStatus(budget, period.value, totals) }
          : {}),
      });
    },
  };

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const startedAt = Date.now();
    const requestId = event.requestContext.requestId;
    const context: RequestContext = { log: {} };
    let response: APIGatewayProxyStructuredResultV2;
    try {
      const route = (routes as Record<string, Route | undefined>)[event.routeKey];
      if (route === undefined) throw new NotFoundError(`no route ${event.routeKey}`);
      // Every route is the caller's own business: authenticate once, here.
      const caller = await authenticateCaller(deps.customers, event.headers.authorization);
      context.log.customerId = caller.customerId;
      response = await route(event, caller, context);
    } catch (error) {
      response = errorResponse(error, requestId);
      if (response.statusCode === 500) deps.logger.error('unexpected fault', { requestId, error });
    }
    deps.logger.info('request', {
      requestId,
      route: event.routeKey,
      status: response.statusCode ?? 200,
      ...context.log,
      durationMs: Date.now() - startedAt,
    });
    return response;
  };
}

/** Far more than any valid `POST /links` body (a 1 KiB key and a few fields). */
export const MAX_BODY_BYTES = 16 * 1024;

function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  const text =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ field: 'body', problem: 'must be valid JSON' }]);
  }
}
