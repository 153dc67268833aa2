// Initial model states: a fresh server (as `nexusd` starts after its migrations), or one seeded from
// what the harness observed on a real target.
import type { Profile } from '../protocol/types.ts';
import { SHARED_ALLOWED } from './permissions.ts';
import type { Account, ChatInfo, ModelConfig, ServerInfo, Session, State } from './state.ts';
import { PROTOCOL_VERSION, defaultServerInfo, nameKey, nameTable } from './state.ts';

export type ConfigInput = Partial<ModelConfig> & { profile: Profile };

export interface CreateOptions {
  /** Seed of the deterministic fresh-id generator (WIRE-ID-3). */
  idSeed?: number;
  /** Unix seconds used as `createdAt` of the accounts a fresh server starts with. */
  now?: number;
}

/** What the harness knows about a target before a run (accounts via UserList all:true / UserEdit, sessions via UserList). */
export interface TargetSnapshot {
  accounts: Account[];
  sessions: Array<Omit<Session, 'conn' | 'loginSeq'>>;
  serverInfo: ServerInfo;
  chatInfo?: ChatInfo;
}

export const GUEST_USERNAME = 'guest';

export function modelConfig(config: ConfigInput): ModelConfig {
  return {
    profile: config.profile,
    protocolVersion: config.protocolVersion ?? PROTOCOL_VERSION,
    softwareVersion: config.softwareVersion ?? PROTOCOL_VERSION,
  };
}

/**
 * SES-GUEST-1: the guest account exists from the first start: shared, disabled, empty password.
 * Its initial permissions are UND-8; the model gives it the 10 shared-allowed names (rules.md §8).
 */
export function guestAccount(createdAt: number): Account {
  return {
    username: GUEST_USERNAME,
    passwordDigest: '',
    isAdmin: false,
    isShared: true,
    enabled: false,
    permissions: [...SHARED_ALLOWED],
    createdAt,
  };
}

function emptyState(config: ModelConfig, serverInfo: ServerInfo, chatInfo: ChatInfo, idSeed: number): State {
  return {
    config,
    accounts: nameTable(),
    sessions: {},
    connections: {},
    serverInfo,
    chatInfo,
    nextSessionId: 1, // SES-LR-2: ids count up from 1
    nextLoginSeq: 1,
    idSeed: idSeed >>> 0,
    idCounter: 0,
  };
}

/**
 * A fresh server: only the guest account, default ServerInfo (SES-SI-*; no image = `''`, rendered
 * per profile on the wire, SES-SI-7), empty chat topic, no sessions.
 */
export function createState(config: ConfigInput, opts: CreateOptions = {}): State {
  const cfg = modelConfig(config);
  const state = emptyState(cfg, defaultServerInfo(cfg), { topic: '', topic_set_by: '' }, opts.idSeed ?? 0);
  state.accounts[nameKey(GUEST_USERNAME)] = guestAccount(opts.now ?? 0);
  return state;
}

/**
 * A model of a running target. Its live sessions become foreign ones (conn null: the harness has no
 * socket for them); their login order follows `loginTime`, then id. New session ids start above the
 * largest observed one, so they never collide (SES-LR-2).
 */
export function stateFromSnapshot(config: ConfigInput, snapshot: TargetSnapshot, opts: CreateOptions = {}): State {
  const cfg = modelConfig(config);
  const state = emptyState(
    cfg,
    { ...snapshot.serverInfo },
    snapshot.chatInfo ? { ...snapshot.chatInfo } : { topic: '', topic_set_by: '' },
    opts.idSeed ?? 0,
  );
  for (const a of snapshot.accounts) {
    state.accounts[nameKey(a.username)] = { ...a, permissions: [...a.permissions] };
  }
  const ordered = [...snapshot.sessions].sort((a, b) => a.loginTime - b.loginTime || a.id - b.id);
  for (const s of ordered) {
    state.sessions[String(s.id)] = {
      ...s,
      features: [...s.features],
      conn: null,
      loginSeq: state.nextLoginSeq++,
    };
    state.nextSessionId = Math.max(state.nextSessionId, s.id + 1);
  }
  return state;
}
