import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJson, toJsonReport, writeJsonReport } from '../../src/report/json.ts';
import { FAILED, PASSED, SKIPPED, runResult } from './fixtures.ts';

describe('JSON report', () => {
  it('carries summary, checks, target, stats, coverage, restored and seed', () => {
    const doc = JSON.parse(renderJson(runResult())) as ReturnType<typeof toJsonReport>;
    expect(doc.summary).toEqual({ passed: 1, failed: 1, skipped: 1, flaky: 0, total: 3 });
    expect(doc.target).toMatchObject({ address: '127.0.0.1:7500', transport: 'tls', embedded: false, fresh: false });
    expect(doc.stats).toEqual({ roundTrips: 42, connections: 7, logins: 5 });
    expect(doc.coverage?.rules).toEqual({ covered: 3, total: 5, missing: ['GEN-1', 'GEN-2'] });
    expect(doc.restored).toEqual({ ok: true, differences: [] });
    expect(doc.seed).toBe(987654321);
    expect(doc.profile).toBe('spec');
    expect(doc.match).toBe('exact');
    expect(doc.tool.name).toBe('nexus-conform');
    expect(doc.tool.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists every check with id, title, rules, status, message and duration', () => {
    const doc = toJsonReport(runResult());
    expect(doc.checks.map((c) => c.id)).toEqual([FAILED.id, PASSED.id, SKIPPED.id]);
    const failed = doc.checks[0]!;
    expect(failed).toMatchObject({
      title: FAILED.title,
      rules: FAILED.rules,
      status: 'failed',
      message: FAILED.message,
      durationMs: 12,
      section: 'session/handshake',
    });
    expect(failed.failures[0]).toMatchObject({ rule: 'SES-HS-4', sent: FAILED.failures[0]!.sent });
    expect(failed.seed).toBe('users.md §Error Handling');
    expect(doc.checks[1]!.seed).toBeNull();
    expect(doc.checks[1]!.message).toBeNull();
    expect(doc.checks[2]!.message).toBe('needs a fresh server');
  });

  it('uses null for an absent coverage or restore result', () => {
    const r = runResult();
    delete r.coverage;
    delete r.restored;
    const doc = JSON.parse(renderJson(r));
    expect(doc.coverage).toBeNull();
    expect(doc.restored).toBeNull();
  });

  it('writes the file, creating its directory', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nc-json-')), 'a', 'b', 'report.json');
    writeJsonReport(file, runResult());
    expect(JSON.parse(readFileSync(file, 'utf8')).summary.total).toBe(3);
  });
});
