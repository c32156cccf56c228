import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OBJECT } from '../../local/demo-customer.ts';
import { COUNTER_NAMES, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import { findChromium } from '../helpers/chromium.ts';
import { type DevProcess, runCli, startDev, THROWAWAY_STACK } from '../helpers/dev-process.ts';

// The usage page of `npm start`, in a real browser: its numbers are report's, to the byte.
// The dev process and the browser are started and stopped here, whatever the outcome.

const found = findChromium();
if ('skip' in found) console.warn(`usage page browser test skipped: ${found.skip}`);

const runtimeDir = mkdtempSync(join(tmpdir(), 'usage-meter-runtime-'));
const env = { USAGE_METER_RUNTIME_DIR: runtimeDir };
const month = new Date().toISOString().slice(0, 7);
const today = new Date().toISOString().slice(0, 10);
let dev: DevProcess | undefined;
let browser: Browser | undefined;

interface Report {
  customers: Array<{ customerId: string } & UsageCounters>;
  untrackedByReason?: Record<string, UsageCounters>;
}

beforeAll(async () => {
  if ('skip' in found) return;
  dev = await startDev([...THROWAWAY_STACK, '--log-interval', '1'], env);
  browser = await chromium.launch({ executablePath: found.path, args: ['--no-sandbox'] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (dev !== undefined && dev.process.exitCode === null && dev.process.signalCode === null) {
    dev.process.kill('SIGINT');
    await dev.exited();
  }
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe.skipIf('skip' in found)('the usage page of npm start', () => {
  it('shows report’s totals, the untracked share and the latest log objects; a click draws the days', async () => {
    const output = dev?.output() ?? '';
    const api = /link API +(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const s3 = /S3 +(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const apiKey = /KEY=(umk_\S+)/.exec(output)?.[1] ?? '';
    expect(output).toContain(`usage page   ${api}/`);
    for (let i = 0; i < 3; i++) {
      const issued = await fetch(`${api}/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ key: DEMO_OBJECT, method: 'GET' }),
      });
      const { url } = (await issued.json()) as { url: string };
      expect((await fetch(url)).status).toBe(200);
    }
    // Not signed by the stack: refused, logged, and billed to nobody.
    expect((await fetch(`${s3}/usage-meter-content/${DEMO_OBJECT}`)).status).toBe(403);

    let report: Report = { customers: [] };
    for (let tries = 0; tries < 120; tries++) {
      const result = await runCli(
        ['report', '--local', '--period', month, '--format', 'json'],
        env,
      );
      report = JSON.parse(result.out) as Report;
      if (report.customers[0]?.downloadRequests === 3 && report.untrackedByReason) break;
      await new Promise((wait) => setTimeout(wait, 500));
    }
    const [demo] = report.customers;
    expect(demo).toMatchObject({ customerId: 'demo', downloadRequests: 3 });
    const untracked = Object.entries(report.untrackedByReason ?? {});
    expect(untracked.length).toBeGreaterThan(0);

    const page = await (browser as Browser).newPage();
    await page.goto(`${api}/?period=${month}`);
    const row = page.locator('#customers tr[data-customer="demo"]');
    await row.waitFor();
    expect(await page.locator('#customers tr[data-customer]').count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells).toEqual(['demo', ...COUNTER_NAMES.map((name) => String(demo?.[name]))]);
    for (const [reason, counters] of untracked) {
      expect(
        await page.locator(`#untracked tr[data-reason="${reason}"] td`).allTextContents(),
      ).toEqual([reason, ...COUNTER_NAMES.map((name) => String(counters[name]))]);
    }
    const untrackedBytes = untracked.reduce(
      (sum, [, c]) => sum + c.downloadBytes + c.uploadBytes,
      0,
    );
    const billed = (demo?.downloadBytes ?? 0) + (demo?.uploadBytes ?? 0);
    expect(await page.locator('#settlement').textContent()).toMatch(
      new RegExp(
        `^${month} is open: its totals may still grow until \\d{4}-\\d{2}-03T00:00:00\\.000Z`,
      ),
    );
    expect(await page.locator('#untracked-share').textContent()).toContain(
      `(${untrackedBytes} of ${billed + untrackedBytes})`,
    );
    expect(await page.locator('#rejected').textContent()).toMatch(
      /^0 rejected lines in the \d+ latest/,
    );
    const logRows = await page.locator('#log-objects tbody tr').allTextContents();
    expect(logRows.length).toBeGreaterThan(0);
    expect(logRows.join('\n')).toContain('usage-meter-logs/');

    await row.click();
    // Attached, not visible: a day with no bytes is a bar of height 0.
    await page.locator('#chart rect').first().waitFor({ state: 'attached' });
    expect(await page.locator('#daily-title').textContent()).toBe('Bytes a day: demo');
    const bars = await page
      .locator('#chart rect')
      .evaluateAll((rects: Array<{ getAttribute(name: string): string | null }>) =>
        rects.map((r) => [r.getAttribute('data-day'), Number(r.getAttribute('data-bytes'))]),
      );
    expect(bars.at(-1)).toEqual([today, billed]);
    expect(bars.reduce((sum, [, bytes]) => sum + Number(bytes), 0)).toBe(billed);
    expect(bars).toHaveLength(Number(today.slice(8)));

    const bad = await fetch(`${api}/local/usage.json?period=2026-13`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      message: "period must be a month such as 2026-11, got '2026-13'",
    });
  }, 180_000);
});
