import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readBody } from '../read-body.ts';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Routes the local server answers itself, before the API's; undefined passes the request on. */
export type LocalRoutes = (
  method: string,
  url: URL,
) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;

export interface LocalApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

const internalError = {
  statusCode: 500,
  body: JSON.stringify({ message: 'Internal Server Error' }),
} as const;

/**
 * Serves a Lambda behind a local stand-in for an API Gateway HTTP API: each request that
 * matches one of `routeKeys` (`POST /links`, `GET /links/{linkId}`) becomes a payload 2.0
 * event; `local` routes answer what is not the API's, and the rest get API Gateway's own 404.
 */
export async function startLocalApi(options: {
  handler: HttpApiHandler;
  routeKeys: readonly string[];
  local?: LocalRoutes;
  port?: number;
}): Promise<LocalApi> {
  const routes = options.routeKeys.map((routeKey) => ({ routeKey, match: routeMatcher(routeKey) }));
  const server = createServer((req, res) => {
    void answer(req).then(
      (result) => {
        res.writeHead(result.statusCode ?? 200, {
          'content-type': 'application/json',
          ...(result.headers as Record<string, string> | undefined),
        });
        res.end(result.body ?? '');
      },
      // The client went away mid-request: nothing left to answer.
      () => res.destroy(),
    );
  });

  /** API Gateway's answer to one request; a bad request never reaches the handler. */
  async function answer(req: IncomingMessage): Promise<APIGatewayProxyStructuredResultV2> {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    let url: URL;
    let route: { routeKey: string; params: Record<string, string> | undefined } | undefined;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
      route = routes
        .map((r) => ({ routeKey: r.routeKey, params: r.match(method, url.pathname) }))
        .find((r) => r.params !== undefined);
    } catch {
      // A path that does not decode (`/links/%E0%A4%A`), as API Gateway answers it.
      return { statusCode: 400, body: JSON.stringify({ message: 'Bad Request' }) };
    }
    if (route?.params === undefined) {
      const local = await options.local?.(method, url).catch(() => internalError);
      if (local !== undefined) return local;
      return { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) };
    }
    try {
      return await options.handler(toEvent(req, url, body, route.routeKey, route.params));
    } catch {
      return internalError;
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Matches `METHOD /path/{param}` against a request; the path parameters when it matches. */
function routeMatcher(routeKey: string) {
  const [routeMethod, routePath = '/'] = routeKey.split(' ');
  const names: string[] = [];
  const pattern = new RegExp(
    `^${routePath.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  return (method: string, path: string): Record<string, string> | undefined => {
    const match = method === routeMethod ? pattern.exec(path) : null;
    if (match === null) return undefined;
    return Object.fromEntries(
      names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
    );
  };
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(url.search === '' ? {} : { queryStringParameters: queryParameters(url) }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
    ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
  };
}

/** API Gateway's `queryStringParameters`: repeated names joined with commas. */
function queryParameters(url: URL): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}
