// Deliberately broken servers for the fuzzers' tests (src/server/fault.ts): a crash the frame
// fuzzer's two tiers must find, and a model bent the way a real implementation might get a
// multi-step sequence wrong (stateful fuzzer). (The validator fuzzer's broken server is
// bytesInsteadOfChars of broken-servers.ts.)
import type { ServerFault } from '../../src/server/fault.ts';

/** A crash on one input the reference answers with an Error and a close: a UserList frame with an empty payload. */
export const crashOnEmptyUserList: ServerFault = {
  onFrame: (f) => (f.type === 'UserList' && f.payload.length === 0 ? 'crash' : undefined),
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
      const ok = (type: string): boolean =>
        r.outputs.some((o) => o.kind === 'send' && o.conn === event.conn && o.message.type === type && o.message.body.success === true);
      if (event.frame.type === 'UserKick' && ok('UserKickResponse')) kickers.add(String(event.conn));
      if (event.frame.type !== 'UserUpdate' || !kickers.has(String(event.conn)) || !ok('UserUpdateResponse')) return r;
      const renamed = r.outputs.some(
        (o) =>
          o.kind === 'send' &&
          o.message.type === 'UserUpdated' &&
          o.message.body.previous_username !== (o.message.body.user as { username?: unknown } | undefined)?.username,
      );
      if (!renamed) return r;
      return { ...r, outputs: r.outputs.filter((o) => !(o.kind === 'send' && o.message.type === 'UserUpdated' && o.conn !== event.conn)) };
    },
  };
}
