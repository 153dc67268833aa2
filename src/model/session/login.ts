// session.md §2–§5: Login, in the fixed upstream check order SES-LOGIN-1..17, then LoginResponse
// (SES-LR-*) and the UserConnected broadcast (SES-BC-1/2).
import type { LoginBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import type { ErrorKey, ErrorParams } from '../events.ts';
import { passwordDigest, passwordMatches } from '../password.ts';
import { sessionHolds } from '../permissions.ts';
import type { Account, Session } from '../state.ts';
import { nameKey } from '../state.ts';
import { validateAvatar, validateFeatures, validateLocale, validateLoginPassword } from '../validators.ts';
import type { Validation } from '../validators.ts';
import { serverInfoView, userInfo } from '../views.ts';
import { GUEST_USERNAME } from '../create.ts';
import { checkName } from '../messages/common.ts';

/** SES-LR-4: `locale` defaults to "en" when omitted (absent and null alike, WIRE-JSON-4). */
export const DEFAULT_LOCALE = 'en';

export function login(ctx: Ctx, req: Request<LoginBody>): void {
  const body = req.body;
  // SES-LOGIN-1: "" means the guest account, before any check.
  const username = body.username === '' ? GUEST_USERNAME : body.username;
  const locale = body.locale ?? DEFAULT_LOCALE;
  const avatar = body.avatar ?? null;
  const nickname = body.nickname ?? null;
  const reject = (key: ErrorKey, params: ErrorParams, rules: string[]): void => loginFailure(ctx, req, key, params, rules);
  const rejectInvalid = (v: Validation, rules: string[]): boolean => {
    if (!v) return false;
    reject(v.key, v.params, rules);
    return true;
  };

  // SES-LOGIN-2 / WIRE-SEQ-2: Handshake first.
  if (req.conn.phase === 'new') return reject('E-HANDSHAKE-REQUIRED', {}, ['SES-LOGIN-2', 'WIRE-SEQ-2']);
  // SES-LOGIN-3 / WIRE-SEQ-7: one session per connection (WIRE-TCP-2). A connection whose session was
  // removed by someone else still counts as logged in. In AUTH the close ends the session (step.ts).
  if (req.conn.phase !== 'shaken') return reject('E-ALREADY-LOGGED-IN', {}, ['SES-LOGIN-3', 'WIRE-SEQ-7']);
  // SES-LOGIN-4..8: field validation, in this order.
  if (rejectInvalid(checkName(ctx, 'username', 'username', username), ['SES-LOGIN-4', 'VAL-USERNAME'])) return;
  if (rejectInvalid(validateLoginPassword(body.password, ctx.profile), ['SES-LOGIN-5', 'VAL-PASSWORD'])) return;
  if (rejectInvalid(validateLocale(locale, ctx.profile), ['SES-LOGIN-6', 'VAL-LOCALE'])) return;
  if (rejectInvalid(validateFeatures(body.features, ctx.profile), ['SES-LOGIN-7', 'VAL-FEATURES'])) return;
  if (avatar !== null && rejectInvalid(validateAvatar(avatar, ctx.profile), ['SES-LOGIN-8', 'VAL-AVATAR'])) return;

  // SES-LOGIN-9: case-insensitive account lookup (GEN-7).
  let account: Account | undefined = ctx.state.accounts[nameKey(username)];
  const rules = ['SES-LOGIN-17'];
  if (account) {
    // SES-LOGIN-10: the password first, so a disabled account does not reveal itself (SES-LOGIN-11).
    if (!passwordMatches(account, body.password)) {
      const kind = nameKey(account.username) === GUEST_USERNAME ? 'SES-GUEST-1' : account.isShared ? 'SES-SHARED-1' : 'SES-AUTH-1';
      return reject('E-INVALID-CREDENTIALS', {}, ['SES-LOGIN-10', kind]);
    }
    if (!account.enabled) {
      if (nameKey(account.username) === GUEST_USERNAME) {
        return reject('E-GUEST-DISABLED', {}, ['SES-LOGIN-11', 'SES-GUEST-2']);
      }
      return reject('E-ACCOUNT-DISABLED', { username }, ['SES-LOGIN-11']);
    }
  } else {
    // SES-LOGIN-12 / SES-AUTH-2: the first login to a server with no account but the guest creates
    // an enabled admin; otherwise the same answer as a wrong password (existence is not revealed).
    const others = Object.keys(ctx.state.accounts).filter((k) => k !== GUEST_USERNAME);
    if (others.length > 0) return reject('E-INVALID-CREDENTIALS', {}, ['SES-LOGIN-12']);
    account = {
      username,
      passwordDigest: passwordDigest(body.password),
      isAdmin: true,
      isShared: false,
      enabled: true,
      permissions: [],
      createdAt: ctx.now,
    };
    ctx.putAccount(nameKey(username), account);
    rules.push('SES-LOGIN-12', 'SES-AUTH-2');
  }

  // SES-LOGIN-13..16 / SES-SHARED-1 / SES-GUEST-1: every shared session brings its own nickname.
  if (account.isShared) {
    const shared = [nameKey(account.username) === GUEST_USERNAME ? 'SES-GUEST-1' : 'SES-SHARED-1'];
    if (nickname === null) return reject('E-NICKNAME-REQUIRED', {}, ['SES-LOGIN-13', ...shared]);
    if (rejectInvalid(checkName(ctx, 'nickname', 'nickname', nickname), ['SES-LOGIN-14', 'VAL-NICKNAME', ...shared])) return;
    // Every account counts, guest and disabled ones included.
    if (ctx.state.accounts[nameKey(nickname)]) {
      return reject('E-NICKNAME-IS-USERNAME', {}, ['SES-LOGIN-15', ...shared]);
    }
    if (ctx.liveSessions().some((s) => nameKey(s.nickname) === nameKey(nickname))) {
      return reject('E-NICKNAME-IN-USE', {}, ['SES-LOGIN-16', ...shared]);
    }
  }

  // SES-LOGIN-17: create the session. SES-AUTH-1: a regular session's nickname is the stored username.
  const session = createSession(ctx, req, account, {
    nickname: account.isShared ? (nickname as string) : account.username,
    locale,
    avatar,
    features: body.features,
  });
  loginResponse(ctx, req, account, session, rules);
  userConnected(ctx, session);
}

/**
 * session.md §2: every Login failure closes. Carrier: `Error {command:"Login"}` (`nexusd`; the
 * reference choice of rules.md §8 in `spec`); `spec` also accepts `LoginResponse {success:false}`.
 */
function loginFailure(ctx: Ctx, req: Request<LoginBody>, key: ErrorKey, params: ErrorParams, rules: string[]): void {
  ctx.fail(req, key, params, 'E!', {
    rules: [...rules, 'SES-ERR-2'],
    alsoAllowed: ctx.byProfile({ spec: ['T'], nexusd: [] }),
  });
}

/** SES-LR-2 (ids from 1, never reused), SES-ID-3 (away inheritance), the connection becomes AUTH. */
function createSession(
  ctx: Ctx,
  req: Request<LoginBody>,
  account: Account,
  fields: { nickname: string; locale: string; avatar: string | null; features: string[] },
): Session {
  const key = nameKey(account.username);
  // SES-ID-3: a regular account's new session copies away/status from its latest existing session;
  // shared sessions start clear (SES-SHARED-2).
  const latest = account.isShared ? undefined : ctx.sessionsOfAccount(key).at(-1);
  const session: Session = {
    id: ctx.state.nextSessionId++,
    conn: req.conn.id,
    accountKey: key,
    nickname: fields.nickname,
    isShared: account.isShared,
    loginTime: ctx.now,
    loginSeq: ctx.state.nextLoginSeq++,
    locale: fields.locale,
    avatar: fields.avatar,
    features: [...fields.features],
    isAway: latest?.isAway ?? false,
    status: latest?.status ?? null,
    ip: req.conn.ip,
    port: req.conn.port,
  };
  ctx.putSession(session);
  const conn = ctx.editConnection(req.conn.id);
  conn.phase = 'auth';
  conn.sessionId = session.id;
  // wire.md §7: later strings on this connection use the Login locale.
  conn.locale = fields.locale;
  return session;
}

/** SES-LR-1..7. */
function loginResponse(ctx: Ctx, req: Request<LoginBody>, account: Account, session: Session, rules: string[]): void {
  const body: Record<string, unknown> = {
    session_id: session.id,
    is_admin: account.isAdmin,
    // SES-LR-3 / PERM-4: stored names; admins report [] and hold everything implicitly.
    permissions: account.isAdmin ? [] : [...account.permissions],
    // SES-LR-5, SES-SI-7: `spec` image null when unset, `nexusd` "".
    server_info: serverInfoView(ctx.state.serverInfo, ctx.profile),
  };
  // SES-LR-6: chat_info only for admins and chat_topic holders.
  if (sessionHolds(ctx.state, session, 'chat_topic')) body.chat_info = { ...ctx.state.chatInfo };
  // SES-LR-4: the locale exactly as sent.
  body.locale = session.locale;
  ctx.respond(req, body, [...rules, 'SES-LR-1', 'SES-LR-2', 'SES-LR-3', 'SES-LR-4', 'SES-LR-5', 'SES-LR-6']);
}

/**
 * SES-BC-1 / BC-1: UserConnected to every other live session holding user_list; `user` is the new
 * session alone. SES-BC-2 [DIVERGENT]: an inherited away state is shown in `spec` (reference
 * choice; the `nexusd` form is an accepted alternative) and never in `nexusd`.
 */
function userConnected(ctx: Ctx, session: Session): void {
  const shown = userInfo(ctx.state, [session]);
  const { status: _status, ...rest } = shown;
  const cleared = { ...rest, is_away: false };
  const inherited = session.isAway || session.status !== null;
  const user = ctx.byProfile({ spec: shown, nexusd: cleared });
  const accept =
    ctx.profile === 'spec' && inherited
      ? { alternatives: [{ type: 'UserConnected', body: { type: 'UserConnected', user: cleared } }] }
      : undefined;
  ctx.broadcast(
    'UserConnected',
    { user },
    (r) => r.id !== session.id && ctx.holds(r, 'user_list'),
    ['SES-BC-1', 'BC-1', ...(inherited ? ['SES-BC-2', 'SES-ID-3'] : [])],
    accept,
  );
}
