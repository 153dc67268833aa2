// rules.md §4.12 ConnectionMonitor — `{}` → `ConnectionMonitorResponse {success, error?, connections?}`.
import type { ConnectionMonitorBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { connectionMonitorList } from '../views.ts';
import { requester } from './common.ts';

export function connectionMonitor(ctx: Ctx, req: Request<ConnectionMonitorBody>): void {
  // CM-1: GEN-1 (step.ts), GEN-2.
  const who = requester(ctx, req, ['CM-1']);
  if (!who) return;
  // CM-2: connection_monitor (admins implicitly); typed failure in both profiles.
  if (!ctx.holds(who.session, 'connection_monitor')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, 'T', { rules: ['CM-2'] });
    return;
  }
  // CM-3..5: one entry per live session, requester included, by nickname, ip per profile.
  ctx.respond(req, { connections: connectionMonitorList(ctx.state, ctx.profile) }, ['CM-3', 'CM-4', 'CM-5']);
}
