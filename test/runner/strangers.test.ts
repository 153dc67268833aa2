// How frames about other people's sessions are explained (strangers must not fail a run).
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import type { State } from '../../src/model/state.ts';
import { SessionIdMap } from '../../src/runner/compare.ts';
import { explainStranger, type StrangerView } from '../../src/runner/strangers.ts';

function view(over: Partial<StrangerView> = {}): StrangerView & { state: State } {
  const state = createState({ profile: 'spec' }, { now: 1_700_000_000 });
  state.nextSessionId = 9;
  state.sessions['4'] = {
    id: 4,
    conn: 'h1',
    accountKey: 'nc00ab_me1',
    nickname: 'nc00ab_me1',
    isShared: false,
    loginTime: 1,
    loginSeq: 1,
    locale: 'en',
    avatar: null,
    features: [],
    isAway: false,
    status: null,
    ip: '127.0.0.1',
    port: 1,
  };
  state.sessions['5'] = { ...state.sessions['4']!, id: 5, conn: null, accountKey: 'alice', nickname: 'alice', loginSeq: 2 };
  const ids = new SessionIdMap();
  ids.link(40, 4);
  ids.link(50, 5);
  return {
    state,
    ids,
    foreignSessions: new Set([5]),
    recentLogouts: new Set(),
    isRunName: (n) => n.toLowerCase().startsWith('nc00ab_'),
    ...over,
  };
}

const user = (over: Record<string, unknown>) => ({
  username: 'bob',
  nickname: 'bob',
  login_time: 1_700_000_100,
  is_admin: false,
  is_shared: false,
  session_ids: [77],
  locale: 'fr',
  ...over,
});
const msg = (type: string, body: Record<string, unknown>) => ({ type, id: 'abcdefabcdef', body: { type, ...body } });

describe('explainStranger', () => {
  it("turns a stranger's UserConnected into a foreign login with a fresh model id", () => {
    const v = explainStranger(msg('UserConnected', { user: user({}) }), view());
    expect(v.kind).toBe('login');
    if (v.kind !== 'login') return;
    expect(v.targetId).toBe(77);
    expect(v.event.session).toMatchObject({ id: 9, accountKey: 'bob', nickname: 'bob', locale: 'fr', ip: '' });
    expect(v.event.account).toMatchObject({ username: 'bob', passwordDigest: null, enabled: true });
  });

  it("leaves the run's own sessions to the comparator", () => {
    expect(explainStranger(msg('UserConnected', { user: user({ username: 'NC00AB_x', nickname: 'NC00AB_x' }) }), view()).kind).toBe('ours');
    expect(explainStranger(msg('UserDisconnected', { session_id: 40, nickname: 'nc00ab_me1' }), view()).kind).toBe('ours');
    // A stranger's account update that lists one of our sessions is about us.
    expect(explainStranger(msg('UserUpdated', { previous_username: 'x', user: user({ session_ids: [40, 50] }) }), view()).kind).toBe(
      'ours',
    );
  });

  it("explains another lane's login without learning it (--jobs), but keeps the run's own", () => {
    const lanes = view({ isSiblingName: (n) => n.toLowerCase().startsWith('nc00aba_') });
    expect(explainStranger(msg('UserConnected', { user: user({ username: 'nc00aba_u3', nickname: 'nc00aba_u3' }) }), lanes).kind).toBe(
      'explained',
    );
    expect(explainStranger(msg('UserConnected', { user: user({ username: 'nc00ab_u3', nickname: 'nc00ab_u3' }) }), lanes).kind).toBe(
      'ours',
    );
    expect(explainStranger(msg('UserConnected', { user: user({}) }), lanes).kind).toBe('login');
  });

  it("learns the guest lane's guest sessions (--jobs): the account is the one guest, only the nickname is a sibling's", () => {
    const lanes = view({ isSiblingName: (n) => n.toLowerCase().startsWith('nc00aba_') });
    const guestSession = msg('UserConnected', {
      user: user({ username: 'guest', nickname: 'nc00aba_visitor2', is_shared: true, session_ids: [88] }),
    });
    const v = explainStranger(guestSession, lanes);
    expect(v.kind).toBe('login');
    if (v.kind !== 'login') return;
    expect(v.targetId).toBe(88);
    // The guest account is known (every target has it): nothing about it is invented.
    expect(v.event.account).toBeUndefined();
    expect(v.event.session).toMatchObject({ accountKey: 'guest', nickname: 'nc00aba_visitor2', isShared: true });
    // On the guest lane itself the same session is its own.
    const own = msg('UserConnected', {
      user: user({ username: 'guest', nickname: 'nc00ab_visitor2', is_shared: true, session_ids: [88] }),
    });
    expect(explainStranger(own, lanes).kind).toBe('ours');
  });

  it('lets a known stranger go, and ignores unknown ids', () => {
    expect(explainStranger(msg('UserDisconnected', { session_id: 50, nickname: 'alice' }), view())).toEqual({ kind: 'logout', modelId: 5 });
    expect(explainStranger(msg('UserDisconnected', { session_id: 99, nickname: 'ghost' }), view()).kind).toBe('explained');
    expect(
      explainStranger(msg('UserConnected', { user: user({ session_ids: [50], username: 'alice', nickname: 'alice' }) }), view()).kind,
    ).toBe('explained');
  });

  it('tolerates SES-BC-4 only for an account of the run that just lost one of several sessions', () => {
    const bc4 = msg('UserUpdated', {
      previous_username: 'nc00ab_me1',
      user: user({ username: 'nc00ab_me1', nickname: 'nc00ab_me1', session_ids: [40] }),
    });
    expect(explainStranger(bc4, view()).kind).toBe('ours');
    expect(explainStranger(bc4, view({ recentLogouts: new Set(['nc00ab_me1']) })).kind).toBe('explained');
  });
});
