// Forks: where the spec lets the target choose an outcome that changes what happens next, every
// allowed outcome of what the harness did is predicted (outcomes.ts) and the first one the
// target's traffic shows is adopted: its state becomes the mirror's, its decoder the connection's,
// its outputs the expectations. Outcomes the traffic fits just as well stay as shadow worlds.
import type { ConnId } from '../../protocol/types.ts';
import { matchMessage } from '../compare.ts';
import type { Judge, Outcome } from '../outcomes.ts';
import { decide, outcomeNote } from '../outcomes.ts';
import type { Core } from './core.ts';
import { outputKind, type HarnessConn } from './conn.ts';

/** Several allowed outcomes of one thing the harness did, until the traffic tells which. */
export interface Fork {
  /** The connection whose traffic decides first. */
  requester: ConnId;
  outcomes: Outcome[];
  sent: string;
  requestIds: string[];
  probe: boolean;
  /** The label of the adopted outcome, once decided. */
  adopted: string | null;
}

/** One outcome is expected at once; several become the pending fork that arrivals decide. */
export function beginFork(core: Core, hc: HarnessConn, outcomes: Outcome[], sent: string, requestIds: string[], probe: boolean): Fork {
  const fork: Fork = { requester: hc.id, outcomes, sent, requestIds, probe, adopted: null };
  if (outcomes.length === 1) adoptOutcome(core, fork, 0, []);
  else core.fork = fork;
  return fork;
}

/** Nothing was read by the target: the pending fork (if it is this one) is undone as the reference outcome. */
export function abandonFork(core: Core, fork: Fork): void {
  if (core.fork !== fork) return;
  core.fork = null;
  adoptOutcome(core, fork, 0, []);
}

/** Decides the pending fork from what arrived so far (`final`: the wait is over). */
export function resolveFork(core: Core, final: boolean): void {
  const fork = core.fork;
  if (!fork) return;
  const views = [...core.conns.values()].filter((hc) => !hc.closed).map((hc) => hc.view());
  const judge: Judge = {
    matches: (out, frame, state) => matchMessage(out, frame, { ...core.compareContext(), model: state }).differences.length === 0,
    neutral: (frame) => core.mirror.strangerVerdict(frame, core.opts.isRunName, core.opts.isSiblingName).kind !== 'ours',
    presumedAbsent: (due, state) => {
      const kind = outputKind({ requestIds: fork.requestIds, ...due }, () => core.audienceSide(due.output.conn, core.mirror.state, state));
      return kind !== null && core.opts.absent?.presumed(kind) === true;
    },
  };
  const d = decide(fork.outcomes, fork.requester, views, judge, final);
  if (d.kind === 'wait') return;
  core.fork = null;
  core.record.note = outcomeNote(fork.outcomes, d.index, d.matched);
  if (!fork.probe) core.lastOutcome = fork.outcomes[d.index]!.label || '(reference outcome)';
  adoptOutcome(core, fork, d.index, d.equivalent);
}

/** Makes `fork.outcomes[index]` the mirror's: its state, its decoder, its outputs as expectations. */
function adoptOutcome(core: Core, fork: Fork, index: number, equivalent: number[]): void {
  const o = fork.outcomes[index]!;
  fork.adopted = o.label;
  const hc = core.conns.get(fork.requester);
  if (hc) hc.decoder = o.decoder;
  const before = core.mirror.state;
  core.mirror.adopt(
    o,
    equivalent.map((i) => fork.outcomes[i]!),
  );
  for (const { output, cause, request } of o.outputs) core.expect(output, cause, before, fork.sent, fork.requestIds, fork.probe, request);
}
