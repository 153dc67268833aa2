// A server author's first server, for testing what a run tells them: a small hand-written Nexus
// server (NOT the reference model) that implements Handshake and Login (the first login creates
// the admin, SES-AUTH-2), optionally UserList and UserInfo, and answers every other type with an
// `Error` or not at all. It sends no broadcasts and enforces no limits. `mangle` lets hostile
// fixtures (hostile.ts) bend what it writes: duplicate, re-id, flood or drip its frames.
import net from 'node:net';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frame.ts';
import type { RawFrame } from '../../src/protocol/types.ts';
import type { HostileServer } from './hostile.ts';

export type Capability = 'UserList' | 'UserInfo';

export interface HalfBuiltOptions {
  /** Beyond Handshake and Login. */
  implements?: Capability[];
  /** What an unimplemented type gets: an `Error` with the request's id (default), or nothing. */
  unknown?: 'error' | 'silent';
  /** Hostile bends: how the frames answering one request reach the socket (default: written as they are). */
  mangle?: (frames: Buffer[], request: RawFrame, sock: net.Socket) => void;
  /** Hostile bend: called on accept; return false to drop the connection at once. */
  admit?: (acceptedSoFar: number) => boolean;
  /** Hostile bend: called per request; return false to go silent on it (and, if the server decides so, forever). */
  answer?: (request: RawFrame) => boolean;
}

interface Account {
  username: string;
  password: string;
  isAdmin: boolean;
  createdAt: number;
}

interface Session {
  id: number;
  account: Account;
  loginTime: number;
  locale: string;
  features: string[];
}

const SERVER_INFO = {
  name: 'Half-built BBS',
  description: 'answers Handshake and Login',
  version: '0.5.0',
  transfer_port: 7501,
  max_connections_per_ip: 50,
  max_transfers_per_ip: 3,
  image: '',
};

function frame(type: string, id: string, body: Record<string, unknown>): Buffer {
  return encodeFrame(type, id, JSON.stringify({ type, ...body }));
}

const now = (): number => Math.floor(Date.now() / 1000);

export async function halfBuiltServer(opts: HalfBuiltOptions = {}): Promise<HostileServer> {
  const caps = new Set(opts.implements ?? []);
  const accounts = new Map<string, Account>(); // by lower-cased name; `guest` is disabled, never logs in
  const sessions = new Map<number, Session>();
  let nextSession = 1;
  const sockets = new Set<net.Socket>();
  let accepted = 0;

  const server = net.createServer((sock) => {
    accepted += 1;
    sockets.add(sock);
    sock.on('error', () => {});
    if (opts.admit && !opts.admit(accepted)) {
      sock.destroy();
      return;
    }
    let phase: 'new' | 'shaken' | 'auth' = 'new';
    let session: Session | null = null;
    const dec = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
    const out = (frames: Buffer[], req: RawFrame): void => {
      if (opts.mangle) opts.mangle(frames, req, sock);
      else for (const f of frames) sock.write(f);
    };
    sock.on('close', () => {
      sockets.delete(sock);
      if (session) sessions.delete(session.id);
    });
    sock.on('data', (chunk: Buffer) => {
      const { frames, error } = dec.push(chunk);
      for (const f of frames) {
        if (opts.answer && !opts.answer(f)) continue;
        const reply = handle(f);
        if (reply === 'close') {
          sock.end(frame('Error', f.id, { message: 'Invalid message format' }));
          return;
        }
        if (reply.length > 0) out(reply, f);
      }
      if (error) sock.end(frame('Error', '000000000000', { message: 'Invalid message format' }));
    });

    function handle(f: RawFrame): Buffer[] | 'close' {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.from(f.payload).toString('utf8')) as Record<string, unknown>;
      } catch {
        return 'close';
      }
      if (f.type === 'Handshake') {
        if (phase !== 'new') return [frame('Error', f.id, { message: 'Already handshaked', command: 'Handshake' })];
        phase = 'shaken';
        return [frame('HandshakeResponse', f.id, { success: true, version: '0.5.0' })];
      }
      if (f.type === 'Login') {
        if (phase === 'new') return 'close';
        if (phase === 'auth') return [frame('Error', f.id, { message: 'Already logged in', command: 'Login' })];
        const username = String(body.username ?? '');
        const password = String(body.password ?? '');
        const key = username.toLowerCase();
        let account = accounts.get(key);
        if (!account && accounts.size === 0 && key !== 'guest' && username !== '') {
          account = { username, password, isAdmin: true, createdAt: now() };
          accounts.set(key, account);
        }
        if (!account || account.password !== password) {
          return [frame('LoginResponse', f.id, { success: false, error: 'Invalid username or password' })];
        }
        phase = 'auth';
        const locale = typeof body.locale === 'string' ? body.locale : 'en';
        session = {
          id: nextSession++,
          account,
          loginTime: now(),
          locale,
          features: Array.isArray(body.features) ? (body.features as string[]) : [],
        };
        sessions.set(session.id, session);
        return [
          frame('LoginResponse', f.id, {
            success: true,
            session_id: session.id,
            is_admin: account.isAdmin,
            permissions: [],
            server_info: SERVER_INFO,
            chat_info: { topic: '', topic_set_by: '' },
            locale,
          }),
        ];
      }
      if (phase !== 'auth') {
        sock.end(frame('Error', f.id, { message: 'Not logged in', command: f.type }));
        return [];
      }
      if (f.type === 'UserList' && caps.has('UserList')) {
        if (body.all === true) {
          const users = [...accounts.values()].map((a) => ({
            username: a.username,
            nickname: a.username,
            login_time: a.createdAt,
            is_admin: a.isAdmin,
            is_shared: false,
            session_ids: [],
            locale: '',
          }));
          return [frame('UserListResponse', f.id, { success: true, users })];
        }
        const byAccount = new Map<Account, Session[]>();
        for (const s of sessions.values()) byAccount.set(s.account, [...(byAccount.get(s.account) ?? []), s]);
        const users = [...byAccount].map(([a, ss]) => ({
          username: a.username,
          nickname: a.username,
          login_time: Math.min(...ss.map((s) => s.loginTime)),
          is_admin: a.isAdmin,
          is_shared: false,
          session_ids: ss.map((s) => s.id).sort((x, y) => x - y),
          locale: ss[ss.length - 1]!.locale,
          is_away: false,
        }));
        return [frame('UserListResponse', f.id, { success: true, users })];
      }
      if (f.type === 'UserInfo' && caps.has('UserInfo')) {
        const nick = String(body.nickname ?? '').toLowerCase();
        if (nick === '') return [frame('UserInfoResponse', f.id, { success: false, error: 'Nickname is empty' })];
        const ss = [...sessions.values()].filter((s) => s.account.username.toLowerCase() === nick);
        if (ss.length === 0) return [frame('UserInfoResponse', f.id, { success: false, error: 'User not found' })];
        const a = ss[0]!.account;
        const user = {
          username: a.username,
          nickname: a.username,
          login_time: Math.min(...ss.map((s) => s.loginTime)),
          is_shared: false,
          session_ids: ss.map((s) => s.id),
          features: [...new Set(ss.flatMap((s) => s.features))],
          created_at: a.createdAt,
          locale: ss[ss.length - 1]!.locale,
          is_away: false,
        };
        return [frame('UserInfoResponse', f.id, { success: true, user })];
      }
      if (opts.unknown === 'silent') return [];
      return [frame('Error', f.id, { message: `Unknown message type: ${f.type}`, command: f.type })];
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
