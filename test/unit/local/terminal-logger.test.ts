import { afterEach, expect, it, vi } from 'vitest';
import { TerminalLogger } from '../../../local/terminal-logger.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

function capture(stream: NodeJS.WriteStream): string[] {
  const lines: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

it('prints one short line an event: time, level, message, then the fields that say something', () => {
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  const logger = new TerminalLogger({ serviceName: 's3-usage-meter', logLevel: 'INFO' });
  logger.info('log object metered', {
    logObject: 'usage-meter-logs/logs/2026-12-01-10-20-03-ABC',
    digest: 'b696fb2b05f7ad1b1d9b662c2c469b89dc7d2cf0031edd89fc5469eae74bc0a7',
    lines: 42,
    rejected: 0,
    samples: [],
  });
  logger.warn('content changed under a metered key', { samples: [{ line: 3, reason: 'x' }] });
  logger.debug('not at INFO');

  expect(out).toHaveLength(1);
  expect(out[0]).toMatch(
    /^\d\d:\d\d:\d\d INFO log object metered logObject=usage-meter-logs\/logs\/2026-12-01-10-20-03-ABC lines=42 rejected=0\n$/,
  );
  expect(err).toEqual([
    expect.stringMatching(
      /^\d\d:\d\d:\d\d WARN content changed under a metered key samples=\[\{"line":3,"reason":"x"\}\]\n$/,
    ),
  ]);
});
