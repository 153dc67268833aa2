// rules.md §4.1 UserList — `{all?}` → `UserListResponse {success, error?, users?}`.
import type { UserListBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { allAccountsList, onlineList } from '../views.ts';
import { requester } from './common.ts';

export function userList(ctx: Ctx, req: Request<UserListBody>): void {
  // USR-LIST-1: GEN-1 (step.ts), then GEN-2; no input validation.
  const who = requester(ctx, req, ['USR-LIST-1']);
  if (!who) return;
  const all = req.body.all === true;

  // USR-LIST-2: all:false needs user_list; all:true needs any of user_create / user_edit / user_delete.
  const allowed = all
    ? ctx.holds(who.session, 'user_create') || ctx.holds(who.session, 'user_edit') || ctx.holds(who.session, 'user_delete')
    : ctx.holds(who.session, 'user_list');
  if (!allowed) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, { spec: 'T', nexusd: 'E' }, { rules: ['USR-LIST-2', 'GEN-4'] });
    return;
  }

  // USR-LIST-3/4/5: online entries (aggregated per SES-ID-2) or all accounts per profile, by nickname.
  // Both lists read the accounts and sessions only (and the profile): memoised on those tables.
  const { state } = ctx;
  const users = ctx.view(all ? 'UserList:all' : 'UserList', [state.config, state.accounts, state.sessions], () =>
    all ? allAccountsList(state, ctx.profile) : onlineList(state),
  );
  ctx.respond(req, { users }, all ? ['USR-LIST-4', 'USR-LIST-5'] : ['USR-LIST-3', 'USR-LIST-5', 'SES-ID-2']);
}
