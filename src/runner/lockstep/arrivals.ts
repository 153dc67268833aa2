// Arrivals: every frame and close the target sent, handled in the order it arrived across all
// harness connections. A frame meets the first eligible expectation it matches (compare.ts), or is
// explained as a stranger's (strangers.ts) or as the first sign of a server timer (WIRE-TMO-1/2),
// or is reported against the closest prediction. A close is checked against what was still due.
import { classifyError } from '../../model/index.ts';
import type { SendOutput } from '../../model/index.ts';
import type { Arrival, Received } from '../../net/connection.ts';
import type { Learned } from '../session-ids.ts';
import { matchMessage } from '../compare.ts';
import { diagnose } from '../diagnose.ts';
import { afterTaking, CLOSING_ERROR_REASONS, eligible, errorMayClose, isOptional } from '../outcomes.ts';
import { describeExpectation, renderBytes, renderMessage } from '../render.ts';
import { nowSeconds } from '../clock.ts';
import type { Core } from './core.ts';
import { isDirectAnswer, type Expectation, type HarnessConn } from './conn.ts';

/** Handles every buffered frame and close of every connection, in the order they arrived. */
export function processArrivals(core: Core): void {
  for (;;) {
    if (core.fork) return; // nothing is handled before the outcome is known (forks.ts)
    let next: { hc: HarnessConn; arrival: Arrival } | null = null;
    for (const hc of core.conns.values()) {
      const a = hc.next();
      if (a && (next === null || a.seq < next.arrival.seq)) next = { hc, arrival: a };
    }
    if (next === null) return;
    if (next.arrival.kind === 'frame') {
      next.hc.handled();
      onFrame(core, next.hc, next.arrival.frame);
    } else {
      onClose(core, next.hc);
    }
  }
}

function onFrame(core: Core, hc: HarnessConn, frame: Received): void {
  if (!frame.message) {
    core.fail(
      hc,
      ['WIRE-JSON-1'],
      core.record.lastSent,
      'a JSON object payload',
      `${frame.parseError ?? 'unparseable payload'}: ${renderBytes(frame.raw.payload)}`,
    );
    return;
  }
  if (hc.closeProof !== null && frame.raw.id === hc.closeProof.id) {
    provenOpen(core, hc, frame);
    return;
  }
  const ctx = core.compareContext();
  const candidates = eligible(hc.queue);
  const takeFirstMatch = (): boolean => {
    for (const i of eligible(hc.queue)) {
      const outcome = matchMessage(hc.queue[i]!.output as SendOutput, frame, ctx);
      if (outcome.differences.length === 0) {
        consume(hc, i, frame, outcome.learned, core);
        return true;
      }
    }
    return false;
  };
  if (takeFirstMatch()) return;
  if (!ownLogoutAhead(core, hc, frame) && absorbStranger(core, frame)) return;
  if (recognizeTimeouts(core, hc, frame) && takeFirstMatch()) return;
  if (provenUnanswered(core, hc, frame) && takeFirstMatch()) return;

  // The closest prediction: same type, or the same request id for a direct answer.
  let best: { index: number; diffs: string[] } | null = null;
  for (const i of candidates) {
    const out = hc.queue[i]!.output as SendOutput;
    if (!corresponds(out, frame)) continue;
    const diffs = matchMessage(out, frame, ctx).differences;
    if (best === null || diffs.length < best.diffs.length) best = { index: i, diffs };
  }
  const shown = renderMessage(frame.message);
  if (best) {
    const e = hc.queue[best.index]!;
    const out = e.output as SendOutput;
    // A known, named deviation (diagnose.ts) is reported as such, under the rule it breaks.
    const why = diagnose(out, frame.message, e.request, core.mirror.state);
    const actual = `${why ? `${why.note}: ` : ''}${shown}\n  ${best.diffs.join('\n  ')}`;
    core.fail(hc, why ? [why.rule, ...out.rules] : out.rules, e.sent, describeExpectation(out), actual);
    if (isDirectAnswer(e)) core.notTaken.add(e.requestIds);
    consume(hc, best.index, frame, null, core);
    return;
  }
  // Out of order? A later prediction that matches cleanly.
  const later = hc.queue.findIndex(
    (e, i) => !candidates.includes(i) && e.output.kind === 'send' && matchMessage(e.output, frame, ctx).differences.length === 0,
  );
  if (later >= 0) {
    const first = hc.queue.find((e) => e.output.kind === 'close' || !isOptional(e.output))!;
    const e = hc.queue[later]!;
    const due = describeExpectation(first.output);
    const note = ['due first on this connection', due.note].filter((n) => n !== undefined).join('; ');
    core.fail(hc, (e.output as SendOutput).rules, e.sent, { expected: due.expected, note }, `${shown} arrived out of order`);
    answered(core, e);
    hc.queue.splice(later, 1);
    return;
  }
  // Nothing says what sent it: for the presumption of absence, it may have any cause.
  core.opts.absent?.sawUnexplained(frame.message.type);
  core.fail(hc, core.record.rules, core.record.lastSent, 'no frame on this connection (none predicted)', `unexpected ${shown}`);
}

/** A frame or close met `e` (right or wrong): the target makes that kind of output (absent-outputs.ts). */
function answered(core: Core, e: Expectation): void {
  if (e.kind !== null) core.opts.absent?.answered(e.kind);
}

/**
 * WIRE-ORD-1: the answers to a request are written before the next request is read. So when
 * `frame` is, cleanly, the answer to a later request on `hc` (a barrier, or the next of a
 * pipeline), every required answer to an earlier request still due before it is not coming: each
 * fails under its own rules and WIRE-ORD-1, and leaves the queue. Returns whether any did.
 */
function provenUnanswered(core: Core, hc: HarnessConn, frame: Received): boolean {
  const ctx = core.compareContext();
  const later = hc.queue.findIndex(
    (e) =>
      isDirectAnswer(e) &&
      (e.output as SendOutput).message.id === frame.raw.id &&
      matchMessage(e.output as SendOutput, frame, ctx).differences.length === 0,
  );
  if (later < 0) return false;
  const missing = hc.queue
    .slice(0, later)
    .filter((e) => isDirectAnswer(e) && !isOptional(e.output) && (e.output as SendOutput).message.id !== frame.raw.id);
  if (missing.length === 0) return false;
  const shown = renderMessage(frame.message!);
  for (const e of missing) {
    const rules = [...(e.output as SendOutput).rules, 'WIRE-ORD-1'];
    core.fail(
      hc,
      rules,
      e.sent,
      describeExpectation(e.output),
      `nothing before ${shown}, the answer to a later request (WIRE-ORD-1: a request is answered before the next one is read)`,
    );
  }
  hc.queue = hc.queue.filter((e) => !missing.includes(e));
  return true;
}

/**
 * The target answered the request written where only a close was still due (steps.ts
 * proveStillOpen), so it did not close: each close still due on `hc` fails now, not at the
 * timeout, and the model takes back the connection and session the target kept, so their end
 * (the harness closes it) is checked like any other. A close may still follow (the answer may
 * itself be a closing error).
 */
function provenOpen(core: Core, hc: HarnessConn, frame: Received): void {
  const proof = hc.closeProof!;
  const after = proof.afterClosingError
    ? 'the closing error (WIRE-SEQ-8: nothing after a closing error is processed)'
    : 'its answer to the request that was to close it';
  hc.closeProof = null;
  core.mirror.reinstate(hc.id, proof.before);
  const due = hc.queue.filter((e) => e.output.kind === 'close');
  for (const e of due) {
    const actual = `still open: the server answered a request written after ${after} with ${renderMessage(frame.message!)}`;
    core.fail(hc, e.output.rules, e.sent, describeExpectation(e.output), actual);
    core.notTaken.add(e.requestIds);
  }
  hc.queue = hc.queue.filter((e) => !due.includes(e));
  hc.tolerateClose();
}

function consume(hc: HarnessConn, index: number, frame: Received, learned: Learned | null, core: Core): void {
  const e = hc.queue[index]!;
  const out = e.output as SendOutput;
  if (learned) core.mirror.ids.apply(learned);
  answered(core, e);
  // Optional predecessors that did not come are gone now (unless they may come in any order).
  hc.queue = afterTaking(hc.queue, index);
  e.matched = frame;
  // An Error in place of a carrier that may close (E! among the carriers) may be followed by a close.
  if (errorMayClose(out, frame, hc.queue)) hc.tolerateClose();
}

function onClose(core: Core, hc: HarnessConn): void {
  if (core.serverTimeouts && underTimer(core, hc)) applyTimeout(core, hc);
  const info = hc.conn?.closeInfo;
  const how = `connection closed (${info?.reason ?? 'closed'}${info?.detail ? `: ${info.detail}` : ''})`;
  const closeIndex = hc.queue.findIndex((e) => e.output.kind === 'close');
  const before = closeIndex < 0 ? hc.queue : hc.queue.slice(0, closeIndex);
  const missing = before.filter((e) => e.output.kind === 'send' && !isOptional(e.output));
  const probeOnly = missing.length > 0 && missing.every((e) => e.probe);
  const undo = hc.probeUndo();
  // The server closed on an error where the spec let it (E! among the carriers, an optional close).
  const predicted = closeIndex < 0 ? null : hc.queue[closeIndex]!.output;
  if (closeIndex >= 0) answered(core, hc.queue[closeIndex]!);
  const afterError = hc.life.kind === 'may-close' || (predicted?.kind === 'close' && CLOSING_ERROR_REASONS.has(predicted.reason));
  let unpredicted = false;

  if (probeOnly && undo) {
    // The target closed after an error that allowed it; the probe was never processed: undo it.
    core.mirror.undoTo(undo);
  } else if (hc.removed) {
    // SES-KICK-3 `nexusd`: a removed session's socket may close at any time; what was pending is moot.
  } else if (closeIndex >= 0 || hc.closeTolerated) {
    for (const e of missing) core.fail(hc, (e.output as SendOutput).rules, e.sent, describeExpectation(e.output), how);
  } else {
    const what =
      missing.length === 0
        ? 'the connection stays open'
        : missing.length === 1
          ? describeExpectation(missing[0]!.output)
          : {
              expected: [missing.map((e) => describeExpectation(e.output).expected[0]).join('\n')],
              note: 'each of these frames, in this order',
            };
    const rules = missing.length > 0 ? (missing[0]!.output as SendOutput).rules : core.record.rules;
    core.fail(hc, rules, missing[0]?.sent ?? core.record.lastSent, what, how);
    unpredicted = true;
  }
  core.markClosed(hc);
  hc.queue = [];
  core.forgetInModel(hc, `(${hc.label}: ${how})`, unpredicted ? 'unpredicted' : afterError ? 'tolerated' : null);
}

// --- strangers ---------------------------------------------------------------------------------------

/**
 * A session's UserDisconnected read before the LoginResponse that tells its target id: the two go
 * to different connections, which WIRE-ORD-3 does not order, so the harness may read the broadcast
 * first (a Login followed by a closing error in one write, with its UserConnected missing). An
 * unknown id is a stranger's unless this connection expects that nickname to leave from a session
 * whose id is not learned yet: then the frame is compared (and teaches the id) like any other.
 */
function ownLogoutAhead(core: Core, hc: HarnessConn, frame: Received): boolean {
  const body = frame.message!.body;
  if (frame.raw.type !== 'UserDisconnected' || typeof body.session_id !== 'number') return false;
  const ids = core.mirror.ids;
  if (ids.toModel(body.session_id) !== undefined) return false;
  return hc.queue.some((e) => {
    if (e.output.kind !== 'send' || e.output.message.type !== 'UserDisconnected') return false;
    const expected = e.output.message.body;
    return (
      expected.nickname === body.nickname && typeof expected.session_id === 'number' && ids.toTarget(expected.session_id) === undefined
    );
  });
}

/** Explains a frame about someone else (strangers.ts) and tells the model what it learnt. */
function absorbStranger(core: Core, frame: Received): boolean {
  const verdict = core.mirror.strangerVerdict(frame, core.opts.isRunName, core.opts.isSiblingName);
  switch (verdict.kind) {
    case 'ours':
      return false;
    case 'explained':
      return true;
    case 'login':
      core.mirror.addStranger(verdict.targetId, verdict.event.session.id);
      core.apply(verdict.event, '(a stranger logged in)', []);
      return true;
    case 'logout': {
      const session = core.mirror.state.sessions[String(verdict.modelId)];
      if (session) {
        core.apply({ kind: 'foreign-logout', sessionId: verdict.modelId, now: nowSeconds() }, '(a stranger logged out)', []);
        // Another lane's account outlives its sessions only briefly: forget it, so the mirror does
        // not grow with every account the other lanes ever logged in (lists tolerate it either way).
        const account = core.mirror.state.accounts[session.accountKey];
        if (account && core.opts.isSiblingName?.(account.username)) core.mirror.forgetIdleAccount(session.accountKey);
      }
      core.mirror.dropStrangerSlot(verdict.modelId);
      return true;
    }
  }
}

// --- server timers (WIRE-TMO-1/2) --------------------------------------------------------------------

/** Pre-login (WIRE-TMO-1) or in the middle of a frame (WIRE-TMO-2), with nothing else pending. */
function underTimer(core: Core, hc: HarnessConn): boolean {
  const c = core.mirror.state.connections[hc.id];
  return c !== undefined && hc.queue.length === 0 && (c.phase === 'new' || c.phase === 'shaken' || hc.decoder.midFrame);
}

function applyTimeout(core: Core, hc: HarnessConn): void {
  core.apply({ kind: 'timeout', conn: hc.id, now: nowSeconds() }, `(${hc.label}: the server's timer expired)`, []);
}

/**
 * An unpredicted `frame` on `hc` may be the first sign of a timer that expired on the target: its
 * E-INVALID-MESSAGE-FORMAT notice, or (on another connection) a broadcast caused by a timed-out
 * session whose socket has already closed. Returns whether the model was told anything.
 */
function recognizeTimeouts(core: Core, hc: HarnessConn, frame: Received): boolean {
  if (!core.serverTimeouts) return false;
  let told = false;
  if (underTimer(core, hc) && isTimeoutNotice(frame)) {
    applyTimeout(core, hc);
    told = true;
  }
  for (const other of core.conns.values()) {
    if (other === hc || other.closed || !underTimer(core, other)) continue;
    const head = other.next();
    if (head && (head.kind === 'close' || isTimeoutNotice(head.frame))) {
      applyTimeout(core, other);
      told = true;
    }
  }
  return told;
}

/** The Error a server writes when its idle or frame timer expires (WIRE-TMO-1/2, SES-ERR-1). */
function isTimeoutNotice(r: Received): boolean {
  const m = r.message;
  if (!m || m.type !== 'Error' || (m.body.command ?? null) !== null || typeof m.body.message !== 'string') return false;
  return classifyError(m.body.message).includes('E-INVALID-MESSAGE-FORMAT');
}

/** Could `frame` be the target's (wrong) version of `out`? */
function corresponds(out: SendOutput, frame: Received): boolean {
  const m = frame.message!;
  if (m.type === out.message.type) return true;
  if (out.error && (m.type === 'Error' || m.type.endsWith('Response')) && m.id === out.message.id) return true;
  return out.message.type.endsWith('Response') && m.id === out.message.id;
}
