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
