// The check-order table (src/model/check-order.ts) and its planner: every message the model
// handles has an order, every rule id it cites exists, every step takes part in a planned pair, and
// each planned request fails both steps of its pair with the earlier one first. That the table
// matches the handlers is proven by the generated section against the reference server
// (test/generated/generated.test.ts).
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/model/index.ts';
import { CHECK_ORDER } from '../../src/model/check-order.ts';
import { failingSteps, leakCases, orderCases } from '../../src/model/check-order-plan.ts';
import { SPEC_ERROR_KEYS, SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';

const PROFILES = ['spec', 'nexusd'] as const;

describe('check order table', () => {
  it('has an order for Handshake, Login and every message with a handler', () => {
    const messages = new Set(CHECK_ORDER.map((o) => o.message));
    for (const type of ['Handshake', 'Login', ...Object.keys(HANDLERS)]) expect(messages, type).toContain(type);
  });

  it('cites only rule ids and error keys of the spec', () => {
    for (const o of CHECK_ORDER) {
      for (const s of o.steps) {
        for (const r of s.rules) expect(SPEC_RULE_IDS, `${o.id}/${s.id}`).toContain(r);
        expect(SPEC_ERROR_KEYS, `${o.id}/${s.id}`).toContain(s.key);
      }
    }
  });

  it('puts every step into a planned pair, except where no two checks can fail together (UserBack: GEN-1 or GEN-2)', () => {
    const paired = new Set<string>();
    for (const p of PROFILES) {
      for (const c of orderCases(p)) for (const s of [c.first, c.second]) paired.add(`${c.order.id}/${s.id}`);
    }
    const unpaired = CHECK_ORDER.flatMap((o) => o.steps.map((s) => `${o.id}/${s.id}`)).filter((id) => !paired.has(id));
    expect(unpaired).toEqual(['user-back/gen-1', 'user-back/gen-2']);
  });

  it.each(PROFILES)('plans requests that fail both steps, the earlier one first (%s)', (profile) => {
    for (const c of orderCases(profile)) {
      for (const r of c.requests) {
        const failing = failingSteps(c.order, profile, r.state, r.body);
        expect(failing[0], `${c.order.id} ${c.first.id}<${c.second.id} as ${r.state}`).toBe(c.first);
        expect(failing).toContain(c.second);
      }
    }
    for (const c of leakCases(profile)) {
      for (const r of c.requests) expect(failingSteps(c.order, profile, r.state, r.body)[0]).toBe(c.gate);
    }
  });

  it('probes the permission before every lookup with missing, offline, online, admin and shared names', () => {
    const probed = leakCases('spec').map((c) => `${c.order.id}:${c.member}`);
    expect(probed).toEqual(
      expect.arrayContaining([
        'user-info:nickname',
        'user-kick:nickname',
        'user-edit:username',
        'user-delete:username',
        'user-update-other:username',
      ]),
    );
    for (const c of leakCases('spec')) {
      const refs = new Set(
        c.requests.map((r) => {
          const b = r.body[c.member];
          return b && 'ref' in b ? b.ref : undefined;
        }),
      );
      expect([...refs].sort(), `${c.order.id}:${c.member}`).toEqual(['admin', 'missing', 'offline', 'online', 'shared']);
    }
  });
});
