// The hook a deliberately broken server is built on (for the harness's own tests and for
// `serve --fault`): a fault wraps the model's step, so it can change the event the model sees, the
// state it leaves or the outputs it writes, and it can make the shell misbehave on a decoded frame
// the way a broken process would (crash: the whole server goes down; hang: this connection is never
// answered again). Faults never copy a handler: they bend what the one model does.
import type { Event, State, StepResult } from '../model/index.ts';
import type { ConnId, RawFrame } from '../protocol/types.ts';

export type Step = (state: State, event: Event) => StepResult<State>;

export interface ServerFault {
  /** Middleware around the model's `step`; call `next` (or not) and return what the server acts on. */
  step?: (state: State, event: Event, next: Step) => StepResult<State>;
  /** Shell-level misbehaviour for a decoded frame, decided before the model sees it. */
  onFrame?: (frame: RawFrame, conn: ConnId, state: Readonly<State>) => 'crash' | 'hang' | undefined;
}

/** The step the server runs: `base` wrapped by every fault, the first fault outermost. */
export function faultyStep(base: Step, faults: readonly ServerFault[]): Step {
  return faults.reduceRight<Step>((next, f) => (f.step ? (s, e) => f.step!(s, e, next) : next), base);
}

/** The first shell reaction any fault asks for on this frame. */
export function frameReaction(
  faults: readonly ServerFault[],
  frame: RawFrame,
  conn: ConnId,
  state: Readonly<State>,
): 'crash' | 'hang' | undefined {
  for (const f of faults) {
    const r = f.onFrame?.(frame, conn, state);
    if (r !== undefined) return r;
  }
  return undefined;
}
