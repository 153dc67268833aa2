// The scenario DSL's structured expectations inside a real run against the reference server: a
// check whose expectation the target does not meet fails with the rule it names, the request that
// was sent, every allowed value and what came back; helpers of scenarios/_lib.ts read accounts back.
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import { check, oneOf, section, setOf, user } from '../../src/runner/api.ts';
import type { Section } from '../../src/runner/api.ts';
import { runSuite } from '../../src/runner/run.ts';
import { storedAccount } from '../../scenarios/_lib.ts';
import { account } from '../support/accounts.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions, TEST_ADMIN as ADMIN } from '../support/options.ts';

const { serve } = perTest('nc-test-');

async function run(sections: Section[]) {
  const state = createState({ profile: 'spec' }, { now: Math.floor(Date.now() / 1000), idSeed: 3 });
  state.accounts.root = account('root', { isAdmin: true, passwordDigest: passwordDigest(ADMIN.password) });
  const srv = await serve({ port: 0, initialState: state });
  return runSuite(runOptions(srv, { seed: 7, sections }));
}

const demo = section({ id: 'demo/expect', title: 'expectations' }, [
  check({
    id: 'holds',
    title: 'the stored account is as created',
    rules: ['ADM-EDIT-6'],
    actors: { target: user({ login: false, permissions: ['chat_send', 'user_info'] }) },
    run: async ({ target }, t) => {
      const stored = await storedAccount(t.admin, target.username);
      t.expectBody(stored, { username: target.username, is_admin: false, permissions: setOf(['user_info', 'chat_send']) }, 'ADM-EDIT-6');
      t.expectEqual(stored.enabled, oneOf([true]), 'ADM-EDIT-6', 'enabled');
    },
  }),
  check({
    id: 'breaks',
    title: 'an expectation the target does not meet',
    rules: ['ADM-EDIT-6'],
    actors: { target: user({ login: false, permissions: ['chat_send'] }) },
    run: async ({ target }, t) => {
      const stored = await storedAccount(t.admin, target.username);
      t.expectBody(stored, { is_admin: oneOf([true, 'yes']), permissions: setOf(['news_list']) }, 'ADM-EDIT-6', 'deliberately wrong');
    },
  }),
]);

describe('expectBody and expectEqual in a run', () => {
  it('passes what holds and fails what does not, with rule, sent, every allowed value and actual', async () => {
    const result = await run([demo]);
    const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(byId['demo/expect/holds']?.status).toBe('passed');
    const broken = byId['demo/expect/breaks']!;
    expect(broken.status).toBe('failed');
    expect(broken.failures).toHaveLength(2);
    const [admin, permissions] = broken.failures;
    expect(admin).toMatchObject({
      rule: 'ADM-EDIT-6',
      expected: ['is_admin: true', 'is_admin: "yes"'],
      note: 'deliberately wrong',
      actual: 'is_admin: false in UserEditResponse',
    });
    expect(admin!.sent).toMatch(/^NX\|8\|UserEdit\|[0-9a-f]{12}\|\d+\|\{"type":"UserEdit","username":"[^"]+"\}$/);
    expect(permissions).toMatchObject({
      expected: ['permissions: ["news_list"] in any order'],
      actual: 'permissions: ["chat_send"] in UserEditResponse',
    });
    expect(result.restored?.ok).toBe(true);
  });
});
