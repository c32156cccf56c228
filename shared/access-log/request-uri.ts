/** The parts of a Request-URI field (`"GET /bucket/key?x=1 HTTP/1.1"`). */
export interface RequestLine {
  method: string;
  /** The request-target as logged: path and raw query string. */
  target: string;
  /** `HTTP/1.1`, or null when the line has no version. */
  httpVersion: string | null;
}

/**
 * Splits a Request-URI into method, target and HTTP version. Tolerates `OPTIONS *`, other
 * HTTP versions and a missing version; the target may contain spaces or quotes.
 */
export function splitRequestUri(requestUri: string): RequestLine | null {
  const firstSpace = requestUri.indexOf(' ');
  if (firstSpace <= 0) return null;
  const method = requestUri.slice(0, firstSpace);
  const lastSpace = requestUri.lastIndexOf(' ');
  const version = requestUri.slice(lastSpace + 1);
  if (lastSpace > firstSpace && version.startsWith('HTTP/')) {
    return { method, target: requestUri.slice(firstSpace + 1, lastSpace), httpVersion: version };
  }
  return { method, target: requestUri.slice(firstSpace + 1), httpVersion: null };
}

/**
 * The decoded query parameters of a request-target, every value of each name in order.
 * Malformed percent-encoding is kept as it is rather than failing.
 */
export function parseQueryParameters(target: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const start = target.indexOf('?');
  if (start === -1) return params;
  for (const pair of target.slice(start + 1).split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeQueryComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryComponent(pair.slice(equals + 1));
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** Decodes one query name or value (`+` is a space); malformed percent-encoding is kept as it is. */
export function decodeQueryComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
