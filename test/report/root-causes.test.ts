// Root causes first: failures grouped by rule and by what differed, most checks first, with one
// representative each; every report (console, JSON, JUnit) opens its failure part with them.
import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../src/report/console.ts';
import { toJsonReport } from '../../src/report/json.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { rootCauseLine, rootCauses, whatDiffered } from '../../src/report/root-causes.ts';
import type { CheckResult, Failure } from '../../src/report/types.ts';
import { check, runResult } from './fixtures.ts';

const frame = (type: string, id: string, body: Record<string, unknown>) => {
  const json = JSON.stringify({ type, ...body });
  return `NX|${type.length}|${type}|${id}|${json.length}|${json}`;
};

const missingDisconnect = (n: number): Failure => ({
  rule: 'SES-BC-3',
  sent: `(boss${n} closes its connection)`,
  expected: [frame('UserDisconnected', `${n}`.padStart(12, 'a'), { session_id: n, nickname: `nc0001_boss${n}` })],
  actual: 'nothing within 2000 ms',
  actor: 'admin',
});

const failed = (id: string, failures: Failure[]): CheckResult =>
  check({
    id: `s/${id}`,
    section: 's',
    status: 'failed',
    failures,
    transcript: { entries: [{ at: 1, conn: 'c1', actor: 'admin', dir: 'sent', text: 'x' }], omitted: 0 },
  });

describe('root causes', () => {
  it('names what differed: a missing frame, another type, members, order, unexpected frames', () => {
    expect(whatDiffered(missingDisconnect(1))).toBe('UserDisconnected missing');
    const exp = frame('UserListResponse', 'abcdefabcdef', { success: true, users: [] });
    expect(whatDiffered({ rule: 'R', sent: '', expected: [exp], actual: frame('Error', 'abcdefabcdef', { error: 'x' }) })).toBe(
      'Error instead of UserListResponse',
    );
    expect(
      whatDiffered({
        rule: 'R',
        sent: '',
        expected: [exp],
        actual: frame('UserListResponse', 'abcdefabcdef', { success: true, users: [1] }),
      }),
    ).toBe('UserListResponse differs in users');
    expect(whatDiffered({ rule: 'R', sent: '', expected: ['no frame'], actual: `unexpected ${frame('UserConnected', '1', {})}` })).toBe(
      'unexpected UserConnected',
    );
    expect(whatDiffered({ rule: 'R', sent: '', expected: ['a'], actual: `${frame('UserConnected', '1', {})} arrived out of order` })).toBe(
      'UserConnected out of order',
    );
    // The run's own numbers and names do not split a cause.
    expect(whatDiffered({ rule: 'R', sent: '', expected: ['the server closes the connection'], actual: 'still open after 2000 ms' })).toBe(
      whatDiffered({ rule: 'R', sent: '', expected: ['the server closes the connection'], actual: 'still open after 75000 ms' }),
    );
  });

  it('groups by rule and what differed, counts checks once, most checks first, with one example', () => {
    const other: Failure = { rule: 'USR-LIST-3', sent: '', expected: ['a'], actual: 'b' };
    const checks = [failed('a', [missingDisconnect(1), missingDisconnect(2)]), failed('b', [other]), failed('c', [missingDisconnect(3)])];
    const groups = rootCauses(checks);
    expect(groups.map(rootCauseLine)).toEqual([
      'SES-BC-3 UserDisconnected missing: 2 checks (3 failures)',
      'USR-LIST-3 expected a, got b: 1 check',
    ]);
    expect(groups[0]!.checkIds).toEqual(['s/a', 's/c']);
    expect(groups[0]!.example.check).toBe('s/a');
    expect(groups[0]!.example.transcript?.entries).toHaveLength(1);
  });

  it('opens the failure part of the console, JSON and JUnit reports', () => {
    const result = runResult([failed('a', [missingDisconnect(1)]), failed('b', [missingDisconnect(2)])]);
    const text = renderConsole(result, { color: false });
    const at = text.indexOf('root causes');
    expect(at).toBeGreaterThan(0);
    expect(text.slice(at)).toContain('SES-BC-3 UserDisconnected missing: 2 checks');
    expect(text.indexOf('root causes')).toBeLessThan(text.indexOf('coverage'));
    const json = toJsonReport(result);
    expect(Object.keys(json).indexOf('rootCauses')).toBeLessThan(Object.keys(json).indexOf('checks'));
    expect(json.rootCauses[0]).toMatchObject({ rule: 'SES-BC-3', what: 'UserDisconnected missing', checks: 2 });
    expect(renderJunit(result)).toContain('<property name="root-cause-1" value="SES-BC-3 UserDisconnected missing: 2 checks (e.g. s/a)"/>');
  });
});
