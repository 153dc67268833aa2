// session.md §1: Handshake. Every failure is carrier H (HandshakeResponse {success:false}) then
// close; errors are English (SES-HS-6: no locale is known yet, and the model renders English only).
import type { HandshakeBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { parseSemVer, validateVersion, versionCompatibility } from '../validators.ts';
import type { Invalid } from '../validators.ts';

export function handshake(ctx: Ctx, req: Request<HandshakeBody>): void {
  // SES-HS-7 / WIRE-SEQ-5: a second Handshake, before or after Login. In AUTH the close also ends
  // the session (step.ts ends it, with the SES-BC-3 broadcast, when it applies the close).
  if (req.conn.phase !== 'new') {
    return reject(ctx, req, { key: 'E-HANDSHAKE-ALREADY-COMPLETED', params: {} }, ['SES-HS-7', 'WIRE-SEQ-5']);
  }
  // SES-HS-1: empty → too long → not strict SemVer.
  const invalid = validateVersion(req.body.version);
  if (invalid) return reject(ctx, req, invalid, ['SES-HS-1', 'VAL-VERSION']);
  // SES-HS-2/3: majors equal, client minor ≤ server minor.
  const incompatible = versionCompatibility(req.body.version, ctx.state.config.protocolVersion);
  if (incompatible) return reject(ctx, req, incompatible, ['SES-HS-2', 'SES-HS-3']);
  // SES-HS-4: success; the connection becomes SHAKEN (WIRE-SEQ-1). SES-HS-3: a lower client minor
  // is compatible in this era (a target refusing it follows the later equal-minor rule).
  const client = parseSemVer(req.body.version);
  const server = parseSemVer(ctx.state.config.protocolVersion);
  const olderMinor = client !== null && server !== null && client.major === server.major && client.minor < server.minor;
  ctx.respond(req, { version: ctx.state.config.protocolVersion }, [
    ...(olderMinor ? ['SES-HS-3', 'SES-HS-2'] : []),
    'SES-HS-4',
    'WIRE-SEQ-1',
  ]);
  ctx.editConnection(req.conn.id).phase = 'shaken';
}

/** SES-HS-5: `{success:false, version, error}` then close; the docs' form without `version` is also accepted. */
function reject(ctx: Ctx, req: Request<HandshakeBody>, why: Invalid, rules: string[]): void {
  ctx.fail(req, why.key, why.params, 'H', { rules: [...rules, 'SES-HS-5'] });
  const response = [...ctx.outputs].reverse().find((o) => o.kind === 'send' && o.message.id === req.id);
  if (response?.kind === 'send') {
    const { version: _omitted, ...withoutVersion } = response.message.body;
    response.accept = { ...response.accept, alternatives: [{ type: 'HandshakeResponse', body: withoutVersion }] };
  }
}
