// Deliberately broken servers for the fuzzers' own tests (src/server/fault.ts): each bends the one
// model in the domain of one fuzzer, the way a real implementation might get it wrong.
import { charLength, LIMITS, utf8Length } from '../../src/model/index.ts';
import type { ServerFault } from '../../src/server/fault.ts';

/**
 * VAL-USERNAME counted in bytes instead of characters: a UserCreate whose username is within 32
 * characters but over 32 UTF-8 bytes is handled as if it were over-long (E-USERNAME-TOO-LONG).
 */
export const usernameLimitInBytes: ServerFault = {
  step: (state, event, next) => {
    if (event.kind !== 'frame' || event.frame.type !== 'UserCreate') return next(state, event);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(event.frame.payload).toString('utf8')) as Record<string, unknown>;
    } catch {
      return next(state, event);
    }
    const name = body.username;
    if (typeof name !== 'string' || charLength(name) > LIMITS.username || utf8Length(name) <= LIMITS.username) return next(state, event);
    const payload = Buffer.from(JSON.stringify({ ...body, username: name + 'x'.repeat(LIMITS.username + 1) }), 'utf8');
    return next(state, { ...event, frame: { ...event.frame, payload } });
  },
};

/**
 * A broadcast missing after a rename following a kick: once a connection has kicked someone
 * successfully, the UserUpdated broadcasts of a rename it makes reach nobody but itself.
 */
export function renameAfterKickLosesBroadcast(): ServerFault {
  const kickers = new Set<string>();
  return {
    step: (state, event, next) => {
      const r = next(state, event);
      if (event.kind !== 'frame') return r;
      const ok = (type: string): boolean => r.outputs.some((o) => o.kind === 'send' && o.conn === event.conn && o.message.type === type && o.message.body.success === true);
      if (event.frame.type === 'UserKick' && ok('UserKickResponse')) kickers.add(String(event.conn));
      if (event.frame.type !== 'UserUpdate' || !kickers.has(String(event.conn)) || !ok('UserUpdateResponse')) return r;
      const renamed = r.outputs.some((o) => o.kind === 'send' && o.message.type === 'UserUpdated' && o.message.body.previous_username !== (o.message.body.user as { username?: unknown } | undefined)?.username);
      if (!renamed) return r;
      return { ...r, outputs: r.outputs.filter((o) => !(o.kind === 'send' && o.message.type === 'UserUpdated' && o.conn !== event.conn)) };
    },
  };
}
