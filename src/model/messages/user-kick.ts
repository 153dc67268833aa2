// rules.md §4.10 UserKick — `{nickname}` → `UserKickResponse {success, error?, nickname?}`.
import type { UserKickBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { nameKey } from '../state.ts';
import { checkName, findSessionByNickname, forceRemove, ownCopiesAfterResponse, refuse, requester } from './common.ts';

export function userKick(ctx: Ctx, req: Request<UserKickBody>): void {
  const { nickname } = req.body;
  // ADM-KICK-1: GEN-1 in step.ts. ADM-KICK-2: VAL-NICKNAME. ADM-KICK-3: GEN-2.
  if (refuse(ctx, req, checkName(ctx, 'nickname', 'nickname', nickname), 'T', ['ADM-KICK-2', 'VAL-NICKNAME'])) return;
  const who = requester(ctx, req, ['ADM-KICK-3']);
  if (!who) return;
  // ADM-KICK-4, SELF-1: own nickname, before the permission (covers one's other sessions too).
  if (nameKey(nickname) === nameKey(who.session.nickname)) {
    ctx.fail(req, 'E-CANNOT-KICK-SELF', {}, 'T', { rules: ['ADM-KICK-4', 'SELF-1'] });
    return;
  }
  // ADM-KICK-5: user_kick.
  if (!ctx.holds(who.session, 'user_kick')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, 'T', { rules: ['ADM-KICK-5'] });
    return;
  }
  // ADM-KICK-6: a live session with that nickname.
  const target = findSessionByNickname(ctx, nickname);
  if (!target) {
    ctx.fail(req, 'E-NICKNAME-NOT-ONLINE', { nickname }, 'T', { rules: ['ADM-KICK-6'] });
    return;
  }
  // ADM-KICK-7, ADMP-1: admins are never kicked, not even by admins.
  if (!target.isShared && ctx.state.accounts[target.accountKey]?.isAdmin === true) {
    ctx.fail(req, 'E-CANNOT-KICK-ADMIN', {}, 'T', { rules: ['ADM-KICK-7', 'ADMP-1'] });
    return;
  }
  // ADM-KICK-9: answer with the target's stored nickname; reference order: response first.
  const from = ctx.outputs.length;
  ctx.respond(req, { nickname: target.nickname }, ['ADM-KICK-9', 'SES-KICK-1']);
  // ADM-KICK-8, SES-KICK-2: a regular account loses every session, a shared one only this session.
  const victims = target.isShared ? [target] : ctx.sessionsOfAccount(target.accountKey);
  for (const s of victims) {
    // SES-KICK-1: E-KICKED-BY names the kicker's username, command "UserKick"; SES-KICK-3 close.
    forceRemove(ctx, s, 'E-KICKED-BY', { username: who.account.username }, 'UserKick', ['ADM-KICK-8', 'SES-KICK-1', 'SES-KICK-2']);
  }
  ownCopiesAfterResponse(ctx, req, from);
}
