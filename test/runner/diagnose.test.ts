// SES-HS-3: a client version with the server's major 0 and a lower minor (client 0.4.0, server
// 0.5.0) is compatible in this era. A target refusing it follows the later upstream rule (equal
// minors while the major is 0, E-VERSION-MINOR-MISMATCH) and must be reported as such — under
// SES-HS-3, naming the later rule — not as a bare mismatch or a framing fault.
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/model/errors.ts';
import type { SendOutput } from '../../src/model/events.ts';
import type { Message, RawFrame } from '../../src/protocol/types.ts';
import { diagnose } from '../../src/runner/diagnose.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import { runOptions, targetOf } from '../support/options.ts';
import { BASE, END, cleanupWorlds, expectedText, failuresOf, perturb, stateWith, world, type Hook } from '../support/lockstep.ts';
import { perTest } from '../support/per-test.ts';

// perTest's afterEach is registered first, so it runs last ("after" hooks run in reverse order):
// the worlds and the proxy in front of the suite's server end before that server is closed.
const { serve } = perTest();
afterEach(cleanupWorlds);

const minorMismatch = (client: string) =>
  renderError('E-VERSION-MINOR-MISMATCH', { server_version: '0.5.0', client_version: client }, 'nexusd');

/**
 * A later-upstream target (a proxy in front of the reference server): a successful Handshake of a
 * client whose minor differs from the server's becomes E-VERSION-MINOR-MISMATCH, then a close.
 */
function laterRule(): { hook: Hook; watch: (f: RawFrame, conn: number) => void } {
  const versions = new Map<number, string>();
  const watch = (f: RawFrame, conn: number): void => {
    if (f.type !== 'Handshake') return;
    try {
      const v = (JSON.parse(Buffer.from(f.payload).toString('utf8')) as { version?: unknown }).version;
      if (typeof v === 'string') versions.set(conn, v);
    } catch {
      // a malformed probe: nothing to remember
    }
  };
  const hook: Hook = (f, conn) => {
    const body = JSON.parse(Buffer.from(f.payload).toString('utf8')) as Record<string, unknown>;
    const client = versions.get(conn);
    if (f.type !== 'HandshakeResponse' || body.success !== true || client === undefined) return [f];
    if (client.split('.')[1] === '5') return [f];
    const payload = Buffer.from(
      JSON.stringify({ type: 'HandshakeResponse', success: false, version: '0.5.0', error: minorMismatch(client) }),
    );
    return [{ ...f, payload }, END];
  };
  return { hook, watch };
}

const expected: SendOutput = {
  kind: 'send',
  conn: 'h1',
  message: { type: 'HandshakeResponse', id: '0a1b2c3d4e5f', body: { type: 'HandshakeResponse', success: true, version: '0.5.0' } },
  rules: ['SES-HS-3', 'SES-HS-4'],
};
const refusal = (error: string): Message => ({
  type: 'HandshakeResponse',
  id: '0a1b2c3d4e5f',
  body: { type: 'HandshakeResponse', success: false, version: '0.5.0', error },
});

describe('diagnose: SES-HS-3', () => {
  const model = stateWith('spec', []);

  it('names the later rule for a refused lower minor while the major is 0', () => {
    const d = diagnose(expected, refusal(minorMismatch('0.4.0')), { version: '0.4.0' }, model);
    expect(d?.rule).toBe('SES-HS-3');
    expect(d?.note).toMatch(/^the target follows the later rule \(protocol ≥ 0\.7: equal minor versions required while the major is 0\)/);
    expect(d?.note).toContain('client 0.4.0 refused by a 0.5.0 server with E-VERSION-MINOR-MISMATCH');
  });

  it('also for another refusal (an Error, another key), which it names', () => {
    const tooNew = renderError('E-VERSION-CLIENT-TOO-NEW', { client_version: '0.4.0', server_version: '0.5.0' }, 'nexusd');
    expect(diagnose(expected, refusal(tooNew), { version: '0.4.0' }, model)?.note).toContain(
      "with E-VERSION-CLIENT-TOO-NEW (the later rule's key is E-VERSION-MINOR-MISMATCH)",
    );
    const error: Message = { type: 'Error', id: '0a1b2c3d4e5f', body: { type: 'Error', message: 'Invalid message format' } };
    expect(diagnose(expected, error, { version: '0.4.0' }, model)?.rule).toBe('SES-HS-3');
  });

  it('nothing to say otherwise: equal minor, another major, a success with other members', () => {
    expect(diagnose(expected, refusal(minorMismatch('0.5.1')), { version: '0.5.1' }, model)).toBeNull();
    expect(diagnose(expected, refusal('x'), { version: '1.4.0' }, model)).toBeNull();
    const success: Message = {
      type: 'HandshakeResponse',
      id: '0a1b2c3d4e5f',
      body: { type: 'HandshakeResponse', success: true, version: '0.6.0' },
    };
    expect(diagnose(expected, success, { version: '0.4.0' }, model)).toBeNull();
    expect(
      diagnose({ ...expected, message: { ...expected.message, type: 'LoginResponse' } }, refusal('x'), { version: '0.4.0' }, model),
    ).toBeNull();
  });
});

describe('a target following the later rule', () => {
  it('lockstep: the failure cites SES-HS-3 and says the target follows the later rule', async () => {
    const later = laterRule();
    const { ls } = await world({ server: stateWith('nexusd', BASE), hook: later.hook, watch: later.watch });
    const c = await ls.open('c');
    const failures = await failuresOf(ls.request(c, 'Handshake', { version: '0.4.0' }));
    expect(failures[0]!.rule).toBe('SES-HS-3');
    expect(failures[0]!.actual).toMatch(/^the target follows the later rule \(protocol ≥ 0\.7/);
    expect(failures[0]!.actual).toContain('E-VERSION-MINOR-MISMATCH');
    expect(expectedText(failures[0]!)).toContain('"success":true');
  });

  it('the suite: session/handshake/compatible/older-minor fails with that message, and nothing else does', async () => {
    const srv = await serve({ profile: 'nexusd' });
    const later = laterRule();
    const at = await perturb(srv, later.hook, later.watch);
    const result = await runSuite(
      runOptions(at, {
        admin: { username: 'hs3-admin', password: 'hs3-admin-pw' },
        profile: 'nexusd',
        timeoutMs: 1500,
        seed: 3,
        sections: await loadSections(),
        grep: 'session/handshake/',
        target: targetOf(at, { embedded: false }),
      }),
    );
    const failed = result.checks.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.id)).toEqual(['session/handshake/compatible/older-minor']);
    expect(failed[0]!.message).toMatch(
      /^SES-HS-3: expected .*, got the target follows the later rule \(protocol ≥ 0\.7: equal minor versions required while the major is 0\)/,
    );
    expect(failed[0]!.message).toContain('client 0.4.0 refused by a 0.5.0 server with E-VERSION-MINOR-MISMATCH');
  }, 30_000);
});
