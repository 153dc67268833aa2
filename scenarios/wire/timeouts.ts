// wire.md §8 timeouts: WIRE-TMO-1..4, UND-13. These checks wait for the server's own deadlines
// (30 s idle before login, 60 s to complete a frame), so they run only with `--slow`.
import { check, connection, section, user, where } from '../../src/runner/api.ts';
import type { Actor, CheckContext } from '../../src/runner/api.ts';
import { RAW_ID } from './_frames.ts';

const IDLE_S = 30;
const FRAME_S = 60;
const GRACE_S = 5; // WIRE-TMO-4: the close must come within +5 s of the deadline

const atLeast = (ms: number) => where(`at least ${ms} ms`, (v) => Number(v) >= ms);
const atMost = (ms: number) => where(`at most ${ms} ms`, (v) => Number(v) <= ms);

/**
 * Waits for the server to close `c` and checks the timing: never before `deadline` seconds after
 * `sentAt` (a lower bound on when the server saw the last byte), at most `deadline + 5` seconds
 * after `answeredAt` (an upper bound on it).
 */
async function closesAfter(t: CheckContext, c: Actor, rule: string, deadline: number, sentAt: number, answeredAt: number): Promise<void> {
  // A close later than the upper bound fails anyway: wait one second past it, not the longest deadline.
  await c.expectClosed({ withinMs: answeredAt + (deadline + GRACE_S + 1) * 1000 - Date.now() });
  const closedAt = Date.now();
  t.expectEqual(closedAt - sentAt, atLeast(deadline * 1000), rule, 'ms from the last byte to the close');
  t.expectEqual(closedAt - answeredAt, atMost((deadline + GRACE_S) * 1000), rule, 'ms from the last answer to the close');
}

export default section({ id: 'wire/timeouts', title: 'Timeouts' }, [
  check({
    id: 'idle-after-handshake',
    title: 'A connection that does not log in within 30 s of its Handshake is closed (not earlier); a logged-in idle session stays',
    rules: ['WIRE-TMO-1', 'WIRE-TMO-3', 'WIRE-TMO-4', 'UND-13'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    slow: true,
    needs: { slow: true },
    actors: { c: connection('new'), idle: user() },
    run: async ({ c, idle }, t) => {
      const sentAt = Date.now();
      await c.handshake().expectSuccess();
      await closesAfter(t, c, 'WIRE-TMO-1', IDLE_S, sentAt, Date.now());
      // WIRE-TMO-3: no idle timeout after login — `idle` has now been silent for over 30 s.
      await idle.expectConnected();
    },
  }),
  check({
    id: 'idle-before-handshake',
    title: 'A connection that sends nothing is closed about 30 s after it was accepted',
    rules: ['WIRE-TMO-1', 'WIRE-TMO-4', 'UND-13'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    slow: true,
    needs: { slow: true },
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      // The accept happened before `run` started, so only the upper bound is measurable here.
      const startedAt = Date.now();
      await c.expectClosed({ withinMs: (IDLE_S + GRACE_S + 1) * 1000 });
      t.expectEqual(Date.now() - startedAt, atMost((IDLE_S + GRACE_S) * 1000), 'WIRE-TMO-1', 'ms from the start of the check to the close');
    },
  }),
  check({
    id: 'incomplete-frame',
    title: 'A frame left incomplete is closed 60 s after its first byte, before login (not at the 30 s idle deadline) and after login',
    rules: ['WIRE-TMO-2', 'WIRE-TMO-4', 'WIRE-TMO-1', 'SES-BC-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    slow: true,
    needs: { slow: true },
    actors: { c: connection('shaken'), u: user(), hears: user({ permissions: ['user_list'] }) },
    run: async ({ c, u, hears }, t) => {
      const sentAt = Date.now();
      await c.sendRaw('NX|8|UserList|');
      await u.sendRaw(`NX|8|UserList|${RAW_ID}|`);
      const answeredAt = Date.now();
      await closesAfter(t, c, 'WIRE-TMO-2', FRAME_S, sentAt, answeredAt);
      await closesAfter(t, u, 'WIRE-TMO-2', FRAME_S, sentAt, answeredAt);
      // The timed-out session ended like any other (UserDisconnected to user_list holders).
      await hears.expectConnected();
    },
  }),
]);
