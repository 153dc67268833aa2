// rules.md §4.11 ServerInfoUpdate — `{name?, description?, max_connections_per_ip?,
// max_transfers_per_ip?, image?}` → `ServerInfoUpdateResponse {success, error?}`, then
// `ServerInfoUpdated` to every live session (BC-6). `nexusd` answers every failure with an open
// `Error`; `spec` with the typed response (GEN-4).
import type { ServerInfoUpdateBody } from '../../protocol/messages.ts';
import type { ChoicePoint, Ctx, Request } from '../ctx.ts';
import type { Carrier } from '../events.ts';
import type { ByProfile } from '../ctx.ts';
import { LIMITS, utf8Length, validateServerDescription, validateServerImage, validateServerName } from '../validators.ts';
import { serverInfoView } from '../views.ts';
import { ownCopiesAfterResponse, present, refuse, requester } from './common.ts';

const CARRIER: ByProfile<Carrier> = { spec: 'T', nexusd: 'E' };

/**
 * VAL-SERVER-IMAGE [UNDETERMINED]: "max 700KB" read as 700 000 bytes (the reference, rules.md §8)
 * or as 700 KiB — an image of 700 001–716 800 bytes is refused as too large or accepted.
 */
const IMAGE_LIMIT: ChoicePoint = {
  id: 'VAL-SERVER-IMAGE',
  rules: ['VAL-SERVER-IMAGE', 'ADM-SINFO-7'],
  options: [
    { value: '700000', label: 'image limit 700 000 bytes (700 001–716 800 refused)' },
    { value: '716800', label: 'image limit 716 800 bytes (700 KiB)' },
  ],
};

/** The image limit this server applies to `image`: a choice only inside the undetermined band. */
function imageLimit(ctx: Ctx, image: string): number {
  const bytes = utf8Length(image);
  if (bytes <= LIMITS.serverImage || bytes > LIMITS.serverImageKiB) return LIMITS.serverImage;
  return Number(ctx.choose(IMAGE_LIMIT));
}

export function serverInfoUpdate(ctx: Ctx, req: Request<ServerInfoUpdateBody>): void {
  const b = req.body;
  const p = ctx.profile;
  // ADM-SINFO-1 in step.ts; ADM-SINFO-2: GEN-2 (never closes in `nexusd`, see Ctx.rejectIfRemoved).
  const who = requester(ctx, req, ['ADM-SINFO-2']);
  if (!who) return;
  // ADM-SINFO-3, ADMP-5: admins only; holding every permission is not enough.
  if (!who.account.isAdmin) {
    ctx.fail(req, 'E-ADMIN-REQUIRED', {}, CARRIER, { rules: ['ADM-SINFO-3', 'ADMP-5', 'GEN-4'] });
    return;
  }
  // ADM-SINFO-4: at least one member; null counts as absent (WIRE-JSON-4).
  const { name, description, image, max_connections_per_ip: maxConn, max_transfers_per_ip: maxTransfers } = b;
  if (![name, description, image, maxConn, maxTransfers].some((v) => present(v))) {
    ctx.fail(req, 'E-NO-FIELDS-TO-UPDATE', {}, CARRIER, { rules: ['ADM-SINFO-4'] });
    return;
  }
  // ADM-SINFO-5..7: VAL-SERVER-NAME, VAL-SERVER-DESCRIPTION, VAL-SERVER-IMAGE in this order.
  if (present(name) && refuse(ctx, req, validateServerName(name, p), CARRIER, ['ADM-SINFO-5', 'VAL-SERVER-NAME'])) return;
  if (
    present(description) &&
    refuse(ctx, req, validateServerDescription(description, p), CARRIER, ['ADM-SINFO-6', 'VAL-SERVER-DESCRIPTION'])
  ) {
    return;
  }
  if (
    present(image) &&
    refuse(ctx, req, validateServerImage(image, p, imageLimit(ctx, image)), CARRIER, ['ADM-SINFO-7', 'VAL-SERVER-IMAGE'])
  ) {
    return;
  }
  // ADM-SINFO-8, VAL-LIMIT [DIVERGENT]: `spec` needs ≥ 1 (connections first); `nexusd` takes 0 as unlimited.
  if (p === 'spec') {
    if (present(maxConn) && maxConn < 1) {
      ctx.fail(req, 'E-MAX-CONNECTIONS-PER-IP-INVALID', {}, 'T', { rules: ['ADM-SINFO-8', 'VAL-LIMIT'] });
      return;
    }
    if (present(maxTransfers) && maxTransfers < 1) {
      ctx.fail(req, 'E-MAX-TRANSFERS-PER-IP-INVALID', {}, 'T', { rules: ['ADM-SINFO-8', 'VAL-LIMIT'] });
      return;
    }
  }
  // ADM-SINFO-9: every check passed, so persist every given member. ADM-SINFO-11: limits apply
  // to later connections (the connection layer reads them at accept time).
  const info = ctx.editServerInfo();
  if (present(name)) info.name = name;
  if (present(description)) info.description = description;
  if (present(image)) info.image = image;
  if (present(maxConn)) info.max_connections_per_ip = maxConn;
  if (present(maxTransfers)) info.max_transfers_per_ip = maxTransfers;
  // ADM-SINFO-10, BC-6: response, then the complete ServerInfo to every live session.
  const from = ctx.outputs.length;
  ctx.respond(req, {}, ['ADM-SINFO-10']);
  ctx.broadcast('ServerInfoUpdated', { server_info: serverInfoView(info, p) }, () => true, ['ADM-SINFO-10', 'BC-6']);
  ownCopiesAfterResponse(ctx, req, from);
}
