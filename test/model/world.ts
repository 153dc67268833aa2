// A small test world over the pure model: it owns a State, feeds events through `step` and hands
// back each step's outputs, plus a few finders. Shared by every test/model/* file.
import { expect } from 'vitest';
import { createState } from '../../src/model/create.ts';
import type { CreateOptions } from '../../src/model/create.ts';
import type { Account, State } from '../../src/model/state.ts';
import { nameKey } from '../../src/model/state.ts';
import type { Carrier, CloseOutput, ErrorKey, Event, Output, SendOutput, StepResult } from '../../src/model/events.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { Permission } from '../../src/model/permissions.ts';
import { step } from '../../src/model/step.ts';
import type { ConnId, Message, Profile } from '../../src/protocol/types.ts';

export const T0 = 1_700_000_000;

export interface AccountOpts {
  password?: string;
  permissions?: Permission[] | string[];
  admin?: boolean;
  shared?: boolean;
  enabled?: boolean;
}

export interface LoginExtra {
  nickname?: string | null;
  locale?: string | null;
  avatar?: string | null;
  features?: string[];
}

export interface SessionOpts extends LoginExtra {
  password?: string;
  ip?: string;
}

export interface LoggedIn {
  conn: ConnId;
  /** Session id from the LoginResponse (0 when the login failed). */
  sessionId: number;
  outputs: Output[];
}

export class World {
  state: State;
  now = T0;
  /** Outputs of the most recent step. */
  last: Output[] = [];
  /** The whole result of the most recent step (its `alternatives` included). */
  result: StepResult<State> | null = null;
  private connCount = 0;
  private idCount = 0;

  constructor(
    readonly profile: Profile,
    opts: CreateOptions = {},
  ) {
    this.state = createState({ profile }, { now: T0, idSeed: 1, ...opts });
  }

  /** Feeds one event; returns (and keeps in `last`) its outputs. */
  event(ev: Event): Output[] {
    // Purity: step shares unchanged parts of the state with its input, so a handler that mutated
    // a shared object would change the input state (and every earlier state) under us.
    const before = JSON.stringify(this.state);
    const r = step(this.state, ev);
    expect(JSON.stringify(this.state), 'step mutated its input state').toBe(before);
    this.state = r.state;
    this.last = r.outputs;
    this.result = r;
    return r.outputs;
  }

  tick(seconds: number): void {
    this.now += seconds;
  }

  /**
   * A new TCP connection; returns its id (`c1`, `c2`, …). `last` holds the outputs (an ip-limit
   * close). Without `ip` every connection gets its own address, so WIRE-IP-1 stays out of the way.
   */
  connect(ip?: string, port?: number): ConnId {
    this.connCount += 1;
    const conn = `c${this.connCount}`;
    const addr = ip ?? `10.0.${this.connCount >> 8}.${this.connCount & 0xff}`;
    this.event({ kind: 'connect', conn, ip: addr, port: port ?? 40000 + this.connCount, now: this.now });
    return conn;
  }

  /** Next request id: 12 hex digits. */
  nextId(): string {
    this.idCount += 1;
    return this.idCount.toString(16).padStart(12, '0');
  }

  /** Sends `type` with `body` (JSON, `"type"` added unless present). */
  send(conn: ConnId, type: string, body: Record<string, unknown> = {}, id = this.nextId()): Output[] {
    return this.raw(conn, type, JSON.stringify({ type, ...body }), id);
  }

  /** Sends a payload exactly as given (for decode-failure cases). */
  raw(conn: ConnId, type: string, payload: string, id = this.nextId()): Output[] {
    return this.event({ kind: 'frame', conn, frame: { type, id, payload: new TextEncoder().encode(payload) }, now: this.now });
  }

  handshake(conn: ConnId, version = '0.5.0'): Output[] {
    return this.send(conn, 'Handshake', { version });
  }

  login(conn: ConnId, username: string, password: string, extra: LoginExtra = {}): Output[] {
    const body: Record<string, unknown> = { username, password, features: extra.features ?? ['chat'] };
    if (extra.locale !== undefined) body.locale = extra.locale;
    if (extra.avatar !== undefined) body.avatar = extra.avatar;
    if (extra.nickname !== undefined) body.nickname = extra.nickname;
    return this.send(conn, 'Login', body);
  }

  close(conn: ConnId): Output[] {
    return this.event({ kind: 'close', conn, now: this.now });
  }

  /** Puts an account straight into the state (fast setup, no protocol traffic). */
  account(username: string, opts: AccountOpts = {}): Account {
    const account: Account = {
      username,
      passwordDigest: passwordDigest(opts.password ?? 'pw'),
      isAdmin: opts.admin ?? false,
      isShared: opts.shared ?? false,
      enabled: opts.enabled ?? true,
      permissions: [...(opts.permissions ?? [])],
      createdAt: this.now,
    };
    this.state.accounts[nameKey(username)] = account;
    return account;
  }

  /** Enables the guest account, optionally with a permission set. */
  enableGuest(permissions?: string[]): void {
    const guest = this.state.accounts.guest!;
    guest.enabled = true;
    if (permissions) guest.permissions = [...permissions];
  }

  /** connect + Handshake + Login. */
  session(username: string, opts: SessionOpts = {}): LoggedIn {
    const conn = this.connect(opts.ip);
    this.handshake(conn);
    const outputs = this.login(conn, username, opts.password ?? 'pw', opts);
    const resp = messagesTo(outputs, conn).find((m) => m.type === 'LoginResponse');
    const sessionId = resp?.body.success === true ? (resp.body.session_id as number) : 0;
    return { conn, sessionId, outputs };
  }

  /** An account created directly in the state, then logged in once. */
  user(username: string, opts: AccountOpts & SessionOpts = {}): LoggedIn {
    if (!this.state.accounts[nameKey(username)]) this.account(username, opts);
    return this.session(username, opts);
  }

  admin(username = 'admin', opts: SessionOpts = {}): LoggedIn {
    return this.user(username, { ...opts, admin: true });
  }
}

export function world(profile: Profile, opts?: CreateOptions): World {
  return new World(profile, opts);
}

// --- finders over one step's outputs ------------------------------------------------------------

export function sends(outputs: Output[], conn?: ConnId): SendOutput[] {
  return outputs.filter((o): o is SendOutput => o.kind === 'send' && (conn === undefined || o.conn === conn));
}

export function messagesTo(outputs: Output[], conn: ConnId): Message[] {
  return sends(outputs, conn).map((o) => o.message);
}

export function ofType(outputs: Output[], type: string): SendOutput[] {
  return sends(outputs).filter((o) => o.message.type === type);
}

export function closes(outputs: Output[], conn?: ConnId): CloseOutput[] {
  return outputs.filter((o): o is CloseOutput => o.kind === 'close' && (conn === undefined || o.conn === conn));
}

export function isClosed(outputs: Output[], conn: ConnId): boolean {
  return closes(outputs, conn).length > 0;
}

/** The one message sent to `conn` (throws unless exactly one). */
export function single(outputs: Output[], conn: ConnId): Message {
  const ms = messagesTo(outputs, conn);
  if (ms.length !== 1) throw new Error(`expected one message to ${conn}, got ${ms.map((m) => m.type).join(', ') || 'none'}`);
  return ms[0]!;
}

/** Connections that received a message of `type`. */
export function recipients(outputs: Output[], type: string): ConnId[] {
  return ofType(outputs, type).map((o) => o.conn);
}

/**
 * Asserts the single failure answer on `conn`: its key, its reference carrier, and the close that
 * E!/H imply (no required close for T/E). Returns the output for further checks.
 */
export function expectFailure(outputs: Output[], conn: ConnId, key: ErrorKey, carrier: Carrier): SendOutput {
  const failed = sends(outputs, conn).filter((o) => o.error !== undefined);
  expect(failed.map((o) => o.error!.key)).toEqual([key]);
  const out = failed[0]!;
  expect(out.error!.carriers[0]).toBe(carrier);
  const required = closes(outputs, conn).filter((c) => !c.accept?.optional);
  if (carrier === 'E!' || carrier === 'H') expect(required.map((c) => c.reason)).toEqual(['error']);
  else expect(required).toEqual([]);
  return out;
}
