// The engine's steps, each a top-level sequence of "act, then wait for what the model predicts":
// opening a connection, one exchange (write, predict every allowed outcome, drain, settle), a
// client close, waiting for the target's close. Settling (waiting.ts) only says what to probe;
// `settleAll` sends each probe or close here as a step of its own, so no step runs inside another.
import type { Event, State } from '../../model/index.ts';
import { encodeFrame } from '../../protocol/frame.ts';
import { NexusConnection, type Received } from '../../net/connection.ts';
import { isLoopback } from '../../model/ip.ts';
import { CLOSING_ERROR_REASONS, decodings, isOptional, predict, stepAll } from '../outcomes.ts';
import { describeExpectation, maskedFrame, renderBytes } from '../render.ts';
import { nowSeconds } from '../clock.ts';
import type { Core } from './core.ts';
import { harnessAddress } from './conn.ts';
import type { Expectation, HarnessConn } from './conn.ts';
import { abandonFork, beginFork } from './forks.ts';
import type { MirrorSave } from './mirror.ts';
import { processArrivals } from './arrivals.ts';
import { drain, drainWithin, dueAnswers, nextSettle, probeSettled } from './waiting.ts';
import type { Answer, Outgoing } from './types.ts';
import { BARRIER_REQUEST } from './types.ts';

export function barrierItem(id?: string): Outgoing {
  const item: Outgoing = { kind: 'message', type: BARRIER_REQUEST.type, body: { ...BARRIER_REQUEST.body } };
  return id === undefined ? item : { ...item, id };
}

/**
 * Opens a connection in lockstep: the model is told (it may predict a WIRE-IP-2 drop), then the
 * socket is opened. A refused TLS handshake is the drop when the model predicted one.
 */
export async function openStep(core: Core, label: string): Promise<HarnessConn> {
  core.throwIfAborted();
  const mark = core.record.mark();
  const hc = core.newConn(label, null);
  const sent = `(connect ${label})`;
  core.record.lastSent = sent;
  const { target, timeoutMs } = core.opts;
  let conn: NexusConnection | null = null;
  let openError: Error | null = null;
  try {
    const o: Parameters<typeof NexusConnection.open>[0] = { host: target.host, port: target.port, transport: target.transport, timeoutMs };
    if (target.fingerprint !== undefined) o.fingerprint = target.fingerprint;
    conn = await NexusConnection.open(o);
  } catch (e) {
    openError = e as Error;
  }
  core.stats.connections += 1;
  const ip = conn ? harnessAddress(conn) : isLoopback(target.host) ? target.host : '0.0.0.0';
  const outputs = core.apply({ kind: 'connect', conn: hc.id, ip, port: conn?.localPort ?? 0, now: nowSeconds() }, sent, []);
  const dropped = outputs.some((o) => o.kind === 'close' && o.conn === hc.id);
  if (conn) {
    core.listen(hc, conn);
    if (dropped) await drain(core, core.opts.timeoutMs);
    core.record.raiseSince(mark);
    return hc;
  }
  core.markClosed(hc);
  hc.queue = [];
  if (!dropped) {
    // The model accepted a connection the target refused: forget it there too.
    core.forgetInModel(hc, sent);
    core.fail(hc, ['WIRE-IP-1'], sent, 'the connection is accepted', `could not connect: ${openError?.message ?? 'unknown error'}`);
    core.record.raiseSince(mark);
  }
  return hc;
}

/**
 * One exchange: writes `items` in one write, steps the model with what the target will decode,
 * waits until every harness connection shows what the model predicts, then (unless it is itself
 * a settling probe) settles what the spec left open. Returns one Answer per request. `counted`:
 * whether its round trips join the traffic counters.
 */
export async function exchangeStep(core: Core, hc: HarnessConn, items: Outgoing[], probe: boolean, counted = true): Promise<Answer[]> {
  core.throwIfAborted();
  const mark = core.record.mark();
  if (!probe) {
    core.record.note = null;
    core.lastOutcome = undefined;
  }
  // Catch up first: a close that already happened must be known before the model sees new frames.
  processArrivals(core);
  const { bytes, requests, writes, sent } = encode(core, items);
  core.record.lastSent = sent;

  const mine: Expectation[] = [];
  core.collectors.add(mine);
  let fork: ReturnType<typeof beginFork>;
  try {
    const wasGone = hc.conn === null || hc.closed || hc.conn.isClosed;
    if (probe) hc.startProbe(core.mirror.state);
    const before = core.mirror.save();
    // Decode as the target does (as each target may, where the spec leaves the decoder a choice)
    // and step the model frame by frame, in every world; several outcomes wait for `drain`.
    const bodyOf = (id: string): Record<string, unknown> | undefined => requests.find((r) => r.id === id)?.body;
    const decs = decodings(hc.decoder, bytes, core.opts.profile);
    const outcomes = predict(core.mirror.worlds(), hc.id, decs, nowSeconds(), bodyOf);
    // The ids of every request the target reads from this write: raw bytes carry theirs too.
    const requestIds = [...new Set([...requests.map((r) => r.id), ...decs[0]!.frames.map((f) => f.id)])];
    fork = beginFork(core, hc, outcomes, sent, requestIds, probe);
    if (counted) {
      core.stats.roundTrips += requests.length > 0 ? requests.length : items.length > 0 ? 1 : 0;
      countLogins(core, hc, requests);
    }
    const written = !wasGone && hc.conn!.sendRaw(bytes);
    if (written && core.opts.onTraffic) {
      for (const w of writes) core.opts.onTraffic({ at: Date.now(), conn: hc.id, actor: hc.label, dir: 'sent', ...w });
    }
    if (!written) {
      // Nothing was read: whichever outcome is adopted, it is undone.
      abandonFork(core, fork);
      goneBeforeWrite(core, hc, before, mine, sent);
    }
    if (probe || !written) await drain(core, core.opts.timeoutMs);
    else await awaitAnswers(core, hc, requestIds, sent, mine, before.state);
  } finally {
    core.collectors.delete(mine);
  }
  if (!probe) await settleAll(core);

  const answers = requests.map((r): Answer => {
    const exp = mine.find(
      (e) => e.conn === hc.id && e.output.kind === 'send' && e.output.message.id === r.id && e.output.error?.carriers[0] !== 'N',
    );
    const observed = exp?.matched ?? null;
    return {
      id: r.id,
      type: r.type,
      predicted: exp && exp.output.kind === 'send' ? exp.output : null,
      observed,
      closedInstead: observed === null && hc.closedInstead,
      ...(fork.outcomes.length > 1 && fork.adopted !== null ? { outcome: fork.adopted || '(reference outcome)' } : {}),
    };
  });
  core.record.raiseSince(mark);
  return answers;
}

/** A connection that writes a Handshake and then a Login has logged in (once; the bench's floor charges it a login). */
function countLogins(core: Core, hc: HarnessConn, requests: ReadonlyArray<{ type: string }>): void {
  for (const { type } of requests) {
    if (type === 'Handshake') hc.wrote.handshake = true;
    else if (type === 'Login' && hc.wrote.handshake && !hc.wrote.login) {
      hc.wrote.login = true;
      core.stats.logins += 1;
    }
  }
}

function encode(core: Core, items: Outgoing[]) {
  const chunks: Buffer[] = [];
  const requests: Array<{ id: string; type: string; body: Record<string, unknown> }> = [];
  const writes: Array<{ type?: string; id?: string; text: string; body?: Record<string, unknown> }> = [];
  for (const item of items) {
    if (item.kind === 'message') {
      const id = item.id ?? core.freshId();
      const body = { type: item.type, ...item.body };
      chunks.push(encodeFrame(item.type, id, JSON.stringify(body)));
      requests.push({ id, type: item.type, body });
      writes.push({ type: item.type, id, ...maskedFrame({ type: item.type, id, body }) });
    } else {
      chunks.push(typeof item.bytes === 'string' ? Buffer.from(item.bytes, 'utf8') : Buffer.from(item.bytes));
      writes.push({ text: renderBytes(item.bytes) });
    }
  }
  return { bytes: Buffer.concat(chunks), requests, writes, sent: writes.map((w) => w.text).join('\n') };
}

/**
 * Nothing reached the target: the socket was already gone. The model must not keep what it
 * predicted for bytes the target never read; the connection is forgotten instead. That is
 * allowed after a lazy removal or a tolerated close (SES-KICK-3), a failure otherwise.
 */
function goneBeforeWrite(core: Core, hc: HarnessConn, before: MirrorSave, mine: Expectation[], sent: string): void {
  const allowed = hc.closed ? hc.closedInstead : hc.closeTolerated;
  for (const c of core.conns.values()) c.queue = c.queue.filter((e) => !mine.includes(e));
  if (!allowed) {
    for (const e of mine) {
      if (e.conn === hc.id && !isOptional(e.output))
        core.fail(hc, e.output.rules, e.sent, describeExpectation(e.output), 'nothing: the connection was already closed');
    }
  }
  core.mirror.restore(before);
  core.markClosed(hc);
  core.forgetInModel(hc, sent);
}

/**
 * Waits for what the exchange predicts. An answer still due after the target's usual time
 * (answer-time.ts) is settled by a barrier request on the same connection: WIRE-ORD-1 writes the
 * answers to a request before the next request is read, so the barrier's answer arriving first
 * proves them missing (arrivals.ts provenUnanswered) within one round trip, not a timeout. The
 * barrier goes out only where it changes nothing: one outcome known (no fork), the connection
 * open and logged in by the model, no partial frame written. A close still due after a closing
 * error is settled the same way (proveStillOpen). Broadcasts to other connections are not ordered
 * by it (WIRE-ORD-3) and keep the whole timeout.
 */
async function awaitAnswers(
  core: Core,
  hc: HarnessConn,
  requestIds: string[],
  sent: string,
  mine: readonly Expectation[],
  before: State,
): Promise<void> {
  const timeoutMs = core.opts.timeoutMs;
  const started = Date.now();
  const grace = core.answerTime.grace(timeoutMs);
  if (await drainWithin(core, grace)) {
    core.answerTime.completed(Date.now() - started);
    return;
  }
  if (mayProveUnanswered(core, hc, requestIds)) {
    // Neither counted nor drawing a request id: whether it goes out depends on timing, and the
    // traffic counters and request ids repeat for a seed.
    await exchangeStep(core, hc, [barrierItem(core.proofId())], true, false);
    hc.endProbe();
    core.record.lastSent = sent;
  } else if (mayProveStillOpen(core, hc, mine)) {
    proveStillOpen(core, hc, mine, before);
  }
  const waited = Date.now() - started;
  await drain(core, Math.max(0, timeoutMs - waited), waited);
}

/**
 * Whether all that is still required on `hc` is the close after a closing error
 * (CLOSING_ERROR_REASONS), the target's answer to this exchange arrived, and nothing the
 * spec leaves open stands in the way (no fork, no partial frame, no server timer under test).
 */
function mayProveStillOpen(core: Core, hc: HarnessConn, mine: readonly Expectation[]): boolean {
  if (core.fork !== null || core.serverTimeouts || hc.life.kind !== 'open' || hc.closeProof !== null) return false;
  if (!hc.conn || hc.conn.isClosed || hc.decoder.midFrame) return false;
  const required = hc.queue.filter((e) => !isOptional(e.output));
  if (required.length === 0 || !required.every((e) => e.output.kind === 'close' && CLOSING_ERROR_REASONS.has(e.output.reason)))
    return false;
  return mine.some((e) => e.conn === hc.id && e.matched !== null);
}

/** An Error, or a HandshakeResponse that refuses (SES-HS-5). */
function isClosingError(frame: Received | null): boolean {
  const m = frame?.message;
  return m != null && (m.type === 'Error' || (m.type === 'HandshakeResponse' && m.body.success !== true));
}

/**
 * WIRE-SEQ-8: nothing after a closing error is processed. So a request written after it may only
 * go unread: an answer proves the connection kept open (arrivals.ts provenOpen) within one round
 * trip, and a close is what the model predicted anyway. Where the target answered with something
 * else than the closing error, the check has failed on that answer already, and the request shows
 * the close that should have followed is not coming either. The model is not stepped (it has
 * dropped the connection); like the answer barrier, the request is neither counted nor draws a
 * request id.
 */
function proveStillOpen(core: Core, hc: HarnessConn, mine: readonly Expectation[], before: State): void {
  const { bytes, requests, writes } = encode(core, [barrierItem(core.proofId())]);
  const afterClosingError = mine.some((e) => e.conn === hc.id && isClosingError(e.matched));
  hc.closeProof = { id: requests[0]!.id, afterClosingError, before };
  if (hc.conn!.sendRaw(bytes) && core.opts.onTraffic) {
    for (const w of writes) core.opts.onTraffic({ at: Date.now(), conn: hc.id, actor: hc.label, dir: 'sent', ...w });
  }
}

function mayProveUnanswered(core: Core, hc: HarnessConn, requestIds: string[]): boolean {
  if (core.fork !== null || hc.life.kind !== 'open' || !hc.conn || hc.conn.isClosed || hc.decoder.midFrame) return false;
  if (core.mirror.state.connections[hc.id]?.phase !== 'auth') return false;
  return dueAnswers(hc, requestIds).length > 0;
}

/**
 * Settles what the spec left open after a step (waiting.ts nextSettle), one probe or client close
 * at a time, each a step of its own. A step that fails ends the operation.
 */
async function settleAll(core: Core): Promise<void> {
  for (let work = nextSettle(core); work !== null; work = nextSettle(core)) {
    const mark = core.record.mark();
    if (work.kind === 'probe') {
      await exchangeStep(core, work.hc, [barrierItem()], true);
      probeSettled(work);
    } else {
      await closeStep(core, work.hc);
    }
    core.record.raiseSince(mark);
  }
}

/** Client-side close: the model is told, the logout broadcasts (SES-BC-3) are checked. */
export async function clientClose(core: Core, hc: HarnessConn): Promise<void> {
  core.record.note = null;
  core.lastOutcome = undefined;
  core.throwIfAborted();
  const mark = core.record.mark();
  if (await closeStep(core, hc)) await settleAll(core);
  core.conns.delete(hc.id);
  core.record.raiseSince(mark);
}

/** Closes `hc` from our side and waits for what that causes; false when it was closed already. */
async function closeStep(core: Core, hc: HarnessConn): Promise<boolean> {
  core.throwIfAborted();
  processArrivals(core);
  if (!hc.conn || hc.closed) return false;
  const tail = hc.decoder.end(); // WIRE-BAD-13: a partial frame left behind
  const sent = `(${hc.label} closes its connection)`;
  core.record.lastSent = sent;
  if (tail && core.mirror.state.connections[hc.id]) {
    core.apply({ kind: 'malformed', conn: hc.id, error: tail.info, now: nowSeconds() }, sent, []);
  }
  hc.queue = hc.queue.filter((e) => e.output.kind !== 'send'); // nothing more can be read
  await hc.conn.close();
  core.markClosed(hc);
  hc.forget();
  if (core.mirror.state.connections[hc.id]) {
    // The logout broadcasts may tell undecided worlds apart (UND-7: the nickname in UserDisconnected).
    const event: Event = { kind: 'close', conn: hc.id, now: nowSeconds() };
    const outcomes = core.mirror
      .worlds()
      .flatMap((w) => stepAll({ label: w.label, rules: w.rules, state: w.state, outputs: [], decoder: hc.decoder }, [{ event }]));
    beginFork(core, hc, outcomes, sent, [], false);
  }
  await drain(core, core.opts.timeoutMs);
  return true;
}

/**
 * Waits until the target closes `hc` (SES-KICK-3 `spec`, expectClosed). A lazily removed session
 * (SES-KICK-3 `nexusd`) is settled by a request: E-AUTHENTICATION and close, or the close itself.
 */
export async function awaitCloseStep(core: Core, hc: HarnessConn, waitMs: number): Promise<void> {
  const mark = core.record.mark();
  processArrivals(core);
  if (!hc.closed && hc.removed) {
    // UserList checks GEN-2 before anything else (USR-LIST-1): E-AUTHENTICATION and close, or
    // the close the target already made. (The barrier's UserInfo validates first, USR-INFO-2.)
    await exchangeStep(core, hc, [{ kind: 'message', type: 'UserList', body: {} }], false);
  }
  const deadline = Date.now() + waitMs;
  while (!hc.closed) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || core.opts.signal?.aborted) break;
    await core.activity(remaining);
    processArrivals(core);
  }
  core.throwIfAborted();
  if (hc.closed) {
    // What the close caused elsewhere (SES-BC-3) is checked now, not in the next exchange.
    await drain(core, core.opts.timeoutMs);
    await settleAll(core);
  } else {
    core.fail(hc, core.record.rules, core.record.lastSent, 'the server closes the connection', `still open after ${waitMs} ms`);
  }
  core.record.raiseSince(mark);
}
