// rules.md §4.2 UserInfo — `{nickname}` → `UserInfoResponse {success, error?, user?}`.
import type { UserInfoBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { groupOf, userInfoDetailed } from '../views.ts';
import { checkName, findSessionByNickname, refuse, requester } from './common.ts';

export function userInfo(ctx: Ctx, req: Request<UserInfoBody>): void {
  // USR-INFO-1: GEN-1 in step.ts.
  const { nickname } = req.body;
  // USR-INFO-2: VAL-NICKNAME before GEN-2 and before the permission.
  if (refuse(ctx, req, checkName(ctx, 'nickname', 'nickname', nickname), 'T', ['USR-INFO-2', 'VAL-NICKNAME'])) return;
  // USR-INFO-3: GEN-2.
  const who = requester(ctx, req, ['USR-INFO-3']);
  if (!who) return;
  // USR-INFO-4: user_info (admins implicitly, GEN-5).
  if (!ctx.holds(who.session, 'user_info')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, { spec: 'T', nexusd: 'E' }, { rules: ['USR-INFO-4', 'GEN-4'] });
    return;
  }
  // USR-INFO-5: a live session with that nickname (offline accounts do not count).
  const target = findSessionByNickname(ctx, nickname);
  if (!target) {
    ctx.fail(req, 'E-NICKNAME-NOT-ONLINE', { nickname }, 'T', { rules: ['USR-INFO-5'] });
    return;
  }
  // USR-INFO-6..8: aggregated detailed view; is_admin / addresses per requester and profile.
  const user = userInfoDetailed(ctx.state, groupOf(ctx.state, target), who.account.isAdmin, ctx.profile);
  ctx.respond(req, { user }, ['USR-INFO-6', 'USR-INFO-7', 'USR-INFO-8', 'SES-ID-2']);
}
