import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import { findFreePort } from '../../../local/free-port.ts';
import { captureIo } from '../../helpers/capture-io.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

describe('usage-meter', () => {
  it('lists its commands on --help and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: usage-meter <command> \[options\]$/m);
    expect(io.out()).toMatch(/^ {2}dev +run the local AWS stack/m);
    expect(io.out()).toMatch(/^ {2}parse +print access log lines/m);
    expect(io.out()).toMatch(/^ {2}aggregate +per-customer/m);
  });

  it('shows the overview and exits 2 when no command is given', async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    expect(io.out()).toContain('Commands:');
  });

  it.each([
    ['reprot', 'report'],
    ['recon', undefined],
    ['verfy', 'verify'],
    ['aggregat', 'aggregate'],
  ])('suggests a command for the misspelt %s', async (typed, meant) => {
    const io = captureIo();
    expect(await main([typed], io)).toBe(2);
    if (meant === undefined) expect(io.err()).not.toContain('Did you mean');
    else expect(io.err()).toContain(`unknown command '${typed}'. Did you mean '${meant}'?`);
  });

  it('suggests the option a misspelt one meant', async () => {
    const io = captureIo();
    expect(await main(['aggregate', '--jsn', 'x.log'], io)).toBe(2);
    expect(io.err()).toContain(
      "usage-meter aggregate: unknown option '--jsn'. Did you mean '--json'?",
    );
  });

  it('names an unknown command and exits 2', async () => {
    const io = captureIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toMatch(/^usage-meter: unknown command 'frobnicate'$/m);
  });

  it("prints a command's usage on --help", async () => {
    const io = captureIo();
    expect(await main(['dev', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: usage-meter dev \[options\]/);
    expect(io.out()).toContain('--in-memory');
  });

  it('names every bad option of dev at once and exits 2', async () => {
    const io = captureIo();
    expect(
      await main(['dev', '--s3-port', '70000', '--dynamodb-port', 'x', '--log-interval', '0'], io),
    ).toBe(2);
    expect(io.err()).toContain("--s3-port must be a whole number from 0 to 65535, got '70000'");
    expect(io.err()).toContain("--dynamodb-port must be a whole number from 0 to 65535, got 'x'");
    expect(io.err()).toContain("--log-interval must be a whole number from 1 to 3600, got '0'");
  });

  it('refuses an unknown option of dev', async () => {
    const io = captureIo();
    expect(await main(['dev', '--port', '1'], io)).toBe(2);
    expect(io.err()).toContain("Unknown option '--port'");
  });

  it('runs from npx after npm install, TypeScript compiled on the fly', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'usage-meter', '--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^Usage: usage-meter <command> \[options\]$/m);
  });

  it('says nothing answers at an endpoint, and what to check, instead of a bare ECONNREFUSED', async () => {
    const closed = await findFreePort();
    const io = captureIo();
    const args = ['report', '--dynamodb-endpoint', `http://127.0.0.1:${closed}`, '--table', 't'];
    expect(await main(args, io)).toBe(1);
    expect(io.err()).toBe(
      `usage-meter report: nothing answers at 127.0.0.1:${closed} (connection refused): is the stack running, and is that its endpoint?\n`,
    );
  });
});
