// The HTML report in a real headless browser (Debian's chromium driven by playwright-core): a run
// against a server that never sends UserDisconnected writes --html and --json from the same run;
// the page loads without console errors, its summary and matrix counts equal the JSON report's,
// filters work, a failure's transcript opens, and a screenshot is written to reports/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { JsonReport } from '../../src/report/json.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { ROOT } from '../cli/spawn.ts';

/** Installed by .ci/run (`apt-get install chromium`); CHROMIUM overrides the path. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'nexus-conform-html-'));
const html = join(dir, 'report.html');
const json = join(dir, 'report.json');
let server: ReferenceServer;
let browser: Browser;
let report: JsonReport;
let code: number;

beforeAll(async () => {
  // A realistic server bug: UserDisconnected is never broadcast (SES-BC-3).
  server = await startServer({
    port: 0,
    faults: [
      {
        step: (s, e, next) => {
          const r = next(s, e);
          return { ...r, outputs: r.outputs.filter((o) => !(o.kind === 'send' && o.message.type === 'UserDisconnected')) };
        },
      },
    ],
  });
  const out: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => out.push(s) },
    env: { NO_COLOR: '1' },
    process: false,
  };
  code = await main(
    [
      `${server.host}:${server.port}`,
      '--admin',
      'root:html-secret-pw',
      '--grep',
      '/^(session\\/presence|session\\/handshake)/',
      '--timeout',
      '700',
      '--seed',
      '5',
      '--quiet',
      '--html',
      html,
      '--json',
      json,
    ],
    io,
  );
  report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the HTML report in a headless browser', () => {
  it('loads offline without console errors and agrees with the JSON report', async () => {
    expect(code).toBe(1);
    expect(report.summary.failed).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);

    // Self-contained: the page itself is the only thing loaded.
    expect(requests).toEqual([pathToFileURL(html).href]);
    for (const status of ['passed', 'failed', 'skipped', 'flaky', 'total'] as const) {
      expect(Number(await page.locator(`[data-summary="${status}"]`).textContent()), status).toBe(report.summary[status]);
    }
    for (const status of ['passed', 'failed', 'skipped', 'flaky'] as const) {
      expect(await page.locator(`table.matrix a.cell.${status}`).count(), `matrix ${status}`).toBe(report.summary[status]);
    }
    // Root causes first, as in the JSON report.
    const firstCause = report.rootCauses[0]!;
    await expect(page.locator('#root-causes summary').first().textContent()).resolves.toContain(
      `${firstCause.rule} ${firstCause.what}: ${firstCause.checks} check`,
    );

    // Filters: only failed and flaky at first; ticking passed shows them; a section narrows it down.
    const visible = () => page.locator('details.check:not(.hidden)').count();
    expect(await visible()).toBe(report.summary.failed + report.summary.flaky);
    await page.locator('input[name=status][value=passed]').check();
    expect(await visible()).toBe(report.summary.failed + report.summary.flaky + report.summary.passed);
    const section = report.checks.find((c) => c.status === 'failed')!.section;
    await page.locator('#section-filter').selectOption(section);
    expect(await visible()).toBe(report.checks.filter((c) => c.section === section && c.status !== 'skipped').length);
    await page.locator('#section-filter').selectOption('');

    // A failure's transcript opens and shows its frames, passwords masked.
    const failed = report.checks.find((c) => c.status === 'failed' && c.transcript !== undefined)!;
    const check = page.locator(`details.check[id="check-${failed.id}"]`);
    await check.locator('summary').first().click();
    await expect(check.locator('table.failure').first().textContent()).resolves.toContain(failed.failures[0]!.rule);
    const transcript = check.locator('details.transcript');
    await transcript.locator('summary').click();
    await expect(transcript.locator('.conn').first().isVisible()).resolves.toBe(true);
    const text = (await transcript.textContent()) ?? '';
    expect(text).toContain('|Login|');
    expect(text).toContain('"password":"***"');
    expect(await page.content()).not.toContain('html-secret-pw');

    // A cell of the matrix jumps to its check and opens it.
    await page.locator('input[name=status][value=passed]').uncheck();
    const passedCheck = report.checks.find((c) => c.status === 'passed')!;
    await page.locator(`table.matrix a.cell[data-jump="${passedCheck.id}"]`).click();
    await expect(
      page
        .locator(`details.check[id="check-${passedCheck.id}"]`)
        .evaluate((d) => (d as unknown as { open: boolean }).open && !d.classList.contains('hidden')),
    ).resolves.toBe(true);

    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    await page.goto(pathToFileURL(html).href);
    await page.screenshot({ path: join(ROOT, 'reports', 'html-report.png'), fullPage: false });
    expect(existsSync(join(ROOT, 'reports', 'html-report.png'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
