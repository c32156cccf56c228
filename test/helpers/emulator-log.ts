import { ACCESS_LOG_FIELDS } from '../../shared/access-log/index.ts';

const TOKEN = '(\\S+)';
const QUOTED = '"(.*?)"';
// The emulator writes exactly 27 fields, single-spaced; only Request-URI, Referer and
// User-Agent are quoted, and the test requests put no quote inside them.
const LINE = new RegExp(
  `^${ACCESS_LOG_FIELDS.map(({ name, quoted }) =>
    name === 'time'
      ? '\\[([^\\]]+)\\]'
      : name === 'requestUri'
        ? '(?:"(.*?)"|(-))'
        : quoted
          ? QUOTED
          : TOKEN,
  ).join(' ')}$`,
);

/** Splits one line the local S3 emulator wrote into its 27 raw field texts, by name. */
export function splitEmulatorLine(line: string): Record<string, string> {
  const match = LINE.exec(line);
  if (match === null) throw new Error(`not a 27-field emulator record: ${line}`);
  const values = match.slice(1);
  // Request-URI has two alternatives (quoted or bare dash): merge them into one value.
  const uriIndex = ACCESS_LOG_FIELDS.findIndex((f) => f.name === 'requestUri');
  const uri = values[uriIndex] ?? values[uriIndex + 1] ?? '';
  values.splice(uriIndex, 2, uri);
  return Object.fromEntries(ACCESS_LOG_FIELDS.map(({ name }, i) => [name, values[i] ?? '']));
}
