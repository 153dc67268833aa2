// Rendering for reports: frames as NX| lines, secrets masked (DESIGN §Conventions), long values cut.
import { describe, expect, it } from 'vitest';
import type { SendOutput } from '../../src/model/events.ts';
import { maskBody, maskedFrame, renderBytes, describeExpectation, renderMessage } from '../../src/runner/render.ts';

describe('render', () => {
  it('renders a frame line with every password member masked, however deep', () => {
    const line = renderMessage({
      type: 'UserUpdate',
      id: 'a1b2c3d4e5f6',
      body: {
        type: 'UserUpdate',
        username: 'bob',
        current_password: 'old-secret',
        requested_password: 'new-secret',
        nested: { password: 'x' },
      },
    });
    const json = '{"type":"UserUpdate","username":"bob","current_password":"***","requested_password":"***","nested":{"password":"***"}}';
    expect(line).toBe(`NX|10|UserUpdate|a1b2c3d4e5f6|${json.length}|${json}`);
    expect(line).not.toMatch(/secret/);
  });

  it('masks a frame once for its body and its line: the same masked body, secrets never shown', () => {
    const message = { type: 'Login', id: 'a1b2c3d4e5f6', body: { type: 'Login', username: 'a|b', password: 'secret', features: ['chat'] } };
    const { body, text } = maskedFrame(message);
    expect(body).toEqual({ ...message.body, password: '***' });
    expect(text).toBe(renderMessage(message));
    expect(text.endsWith(`|${JSON.stringify(body)}`)).toBe(true);
    expect(text).not.toMatch(/secret/);
  });

  it("shows a member named __proto__ as the member it is, its secrets masked (not as the copy's prototype)", () => {
    const body = JSON.parse('{"type":"UserDelete","__proto__":{"username":"bob","password":"secret"}}') as Record<string, unknown>;
    const line = renderMessage({ type: 'UserDelete', id: 'a1b2c3d4e5f6', body });
    expect(line.endsWith('|{"type":"UserDelete","__proto__":{"username":"bob","password":"***"}}')).toBe(true);
    expect((maskBody(body) as Record<string, unknown>).username).toBeUndefined();
  });

  it('keeps absent and null passwords visible as such', () => {
    expect(maskBody({ password: null, other: 'x' })).toEqual({ password: null, other: 'x' });
  });

  it('shortens long strings such as avatars and server images', () => {
    const image = `data:image/png;base64,${'A'.repeat(700_000)}`;
    const line = renderMessage({ type: 'ServerInfoUpdate', id: 'a1b2c3d4e5f6', body: { type: 'ServerInfoUpdate', image } });
    expect(line.length).toBeLessThan(300);
    expect(line).toContain('…(700022 chars)');
  });

  it('masks secrets in raw bytes that are not even valid frames, escaping the unprintable', () => {
    const raw = 'NX|5|Login|a1b2c3d4e5f6|9|{"username":"u","password":"hunter2\\"x"}\r\n\x00';
    expect(renderBytes(raw)).toBe('NX|5|Login|a1b2c3d4e5f6|9|{"username":"u","password":"***"}\\r\\n\\x00');
    expect(renderBytes(new Uint8Array([0x4e, 0x58, 0xff]))).toBe('NX\\xff');
  });

  it('spells out every accepted alternative of an expectation', () => {
    const out: SendOutput = {
      kind: 'send',
      conn: 'h1',
      message: { type: 'Error', id: 'a1b2c3d4e5f6', body: { type: 'Error', message: 'Not logged in', command: 'ServerInfoUpdate' } },
      error: { key: 'E-NOT-LOGGED-IN', params: {}, carriers: ['E!', 'E'], command: 'ServerInfoUpdate' },
      accept: { optional: true, alternatives: [{ type: 'ServerInfoUpdateResponse', body: { success: false, error: 'Not logged in' } }] },
      rules: ['WIRE-SEQ-4'],
    };
    const primary = '{"type":"Error","message":"Not logged in","command":"ServerInfoUpdate"}';
    const alt = '{"success":false,"error":"Not logged in"}';
    expect(describeExpectation(out)).toEqual({
      expected: [
        `NX|5|Error|a1b2c3d4e5f6|${primary.length}|${primary}`,
        `NX|24|ServerInfoUpdateResponse|a1b2c3d4e5f6|${alt.length}|${alt}`,
      ],
      note: 'error E-NOT-LOGGED-IN via E! | E (command ServerInfoUpdate); optional',
    });
    expect(describeExpectation({ kind: 'close', conn: 'h1', reason: 'removed', accept: { lazy: true }, rules: [] })).toEqual({
      expected: ['connection closed by the server [removed]', 'session invalidated, next request answered E-AUTHENTICATION + close'],
    });
  });
});
