// Deliberately broken servers for the generated sections' tests: each fault bends the one model
// (src/server/fault.ts) into a realistic bug of one class — two adjacent checks swapped, a limit
// counted in the wrong unit, a frame element accepted that must be rejected, a state-dependent
// rule ignored. They never copy a handler.
import type { Event, Output, State, StepResult } from '../../src/model/index.ts';
import type { Permission } from '../../src/model/permissions.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { clientLimit } from '../../src/protocol/limits.ts';
import { CLIENT_TYPES, isClientType, type ClientType } from '../../src/protocol/types.ts';

const failed = (outputs: Output[]): boolean =>
  outputs.some((o) => o.kind === 'send' && o.error !== undefined && o.message.type !== 'Error');

/**
 * Check order swapped: `type` looks the target up before it checks `permission`. A requester without
 * the permission gets the lookup's answer (e.g. "not online") whenever the lookup fails.
 */
export function lookupBeforePermission(type: string, permission: Permission): ServerFault {
  return {
    step: (state, event, next) => {
      const r = next(state, event);
      if (event.kind !== 'frame' || event.frame.type !== type) return r;
      const denied = r.outputs.some((o) => o.kind === 'send' && o.error?.key === 'E-PERMISSION-DENIED');
      const conn = state.connections[event.conn];
      const session = conn?.sessionId != null ? state.sessions[String(conn.sessionId)] : undefined;
      if (!denied || !session) return r;
      const granted = structuredClone(state);
      const account = granted.accounts[session.accountKey];
      if (!account) return r;
      account.permissions = [...account.permissions, permission];
      const lookedUp = next(granted, event);
      return failed(lookedUp.outputs) ? { ...r, outputs: lookedUp.outputs } : r;
    },
  };
}

/** Rewrites one string member of a client request before the model sees it. */
function rewriteMember(type: string, member: string, rewrite: (v: string) => string | undefined): ServerFault {
  return {
    step: (state: State, event: Event, next): StepResult<State> => {
      if (event.kind !== 'frame' || event.frame.type !== type) return next(state, event);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.from(event.frame.payload).toString('utf8')) as Record<string, unknown>;
      } catch {
        return next(state, event);
      }
      const v = body[member];
      const changed = typeof v === 'string' ? rewrite(v) : undefined;
      if (changed === undefined) return next(state, event);
      const payload = new TextEncoder().encode(JSON.stringify({ ...body, [member]: changed }));
      return next(state, { ...event, frame: { ...event.frame, payload } });
    },
  };
}

/** A length limit counted in UTF-8 bytes instead of characters: over `max` bytes is treated as too long. */
export function bytesInsteadOfChars(type: string, member: string, max: number): ServerFault {
  return rewriteMember(type, member, (v) => (Buffer.byteLength(v) > max && [...v].length <= max ? 'x'.repeat(max + 1) : undefined));
}

/** Off by one: a value of exactly `max` characters is treated as too long. */
export function offByOne(type: string, member: string, max: number): ServerFault {
  return rewriteMember(type, member, (v) => ([...v].length === max ? 'x'.repeat(max + 1) : undefined));
}

/**
 * A lenient JSON reader: a payload whose `"type"` member names another type is processed as the
 * frame's type instead of failing decoding (WIRE-JSON-2, WIRE-BAD-10).
 */
export function typeMemberIgnored(): ServerFault {
  return {
    step: (state, event, next) => {
      if (event.kind !== 'frame') return next(state, event);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.from(event.frame.payload).toString('utf8')) as Record<string, unknown>;
      } catch {
        return next(state, event);
      }
      if (typeof body.type !== 'string' || body.type === event.frame.type) return next(state, event);
      const payload = new TextEncoder().encode(JSON.stringify({ ...body, type: event.frame.type }));
      return next(state, { ...event, frame: { ...event.frame, payload } });
    },
  };
}

/**
 * Type names matched case-insensitively (WIRE-FRM-3 requires exact case): the decoder knows
 * `handshake` and `HANDSHAKE`, and the model then sees the canonical name. Pass both parts to
 * startServer (`variant` for the decoder, `faults` for the model).
 */
export function caseInsensitiveTypeNames(): {
  variant: { isKnownType: (n: string) => boolean; limitFor: (t: string) => number };
  faults: ServerFault[];
} {
  const canonical = (name: string): string | undefined => CLIENT_TYPES.find((c) => c.toLowerCase() === name.toLowerCase());
  return {
    variant: {
      isKnownType: (n) => canonical(n) !== undefined || isClientType(n),
      limitFor: (t) => clientLimit((canonical(t) ?? t) as ClientType, 'spec'),
    },
    faults: [
      {
        step: (state, event, next) => {
          if (event.kind !== 'frame') return next(state, event);
          const type = canonical(event.frame.type);
          return next(state, type && type !== event.frame.type ? { ...event, frame: { ...event.frame, type } } : event);
        },
      },
    ],
  };
}

/** The Login frame's username, if the event is one. */
function loginName(event: Event): string | undefined {
  if (event.kind !== 'frame' || event.frame.type !== 'Login') return undefined;
  try {
    const body = JSON.parse(Buffer.from(event.frame.payload).toString('utf8')) as { username?: unknown };
    return typeof body.username === 'string' ? body.username : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first-user rule keyed on "nobody online" instead of "no account besides guest" (SES-AUTH-2):
 * with nobody logged in, an unknown username is created as an admin.
 */
export function firstUserWhenNobodyOnline(): ServerFault {
  return {
    step: (state, event, next) => {
      const name = loginName(event);
      if (name === undefined || Object.keys(state.sessions).length > 0 || state.accounts[name.toLowerCase()]) return next(state, event);
      const empty = structuredClone(state);
      for (const key of Object.keys(empty.accounts)) if (key !== 'guest') delete empty.accounts[key];
      const r = next(empty, event);
      return { ...r, state: { ...r.state, accounts: { ...state.accounts, ...r.state.accounts } } };
    },
  };
}

/** A disabled shared account still logs in (the enabled flag ignored for shared accounts, SES-LOGIN-12/13). */
export function disabledSharedLogsIn(): ServerFault {
  return {
    step: (state, event, next) => {
      const name = loginName(event);
      const account = name !== undefined ? state.accounts[name.toLowerCase()] : undefined;
      if (!account || !account.isShared || account.enabled || name!.toLowerCase() === 'guest') return next(state, event);
      const enabled = structuredClone(state);
      enabled.accounts[name!.toLowerCase()]!.enabled = true;
      const r = next(enabled, event);
      r.state.accounts[name!.toLowerCase()]!.enabled = false;
      return r;
    },
  };
}
