// The stateful fuzzer: model-based testing with fast-check commands (commands.ts) over seven
// concurrent sessions of every kind — a regular account with two sessions, a second regular user
// with management permissions, a shared account under two nicknames, the guest, an admin — plus
// the sessions and accounts the sequence itself creates. A sequence is one check whose steps are
// the commands; every response and broadcast on every connection goes through the lockstep, and
// fast-check shrinks a failing sequence to a minimal one before it is recorded.
import fc from 'fast-check';
import type { Step } from '../fixture.ts';
import { runProperty } from '../property.ts';
import type { StepsCase } from '../steps.ts';
import type { Fuzzer } from '../types.ts';
import { COMMANDS, MAX_SESSIONS } from './commands.ts';
import { ACTORS, initialModel, type Model, type Steps } from './model.ts';

/** Longest sequence: long enough to reach rename-after-kick orders, short enough to shrink quickly. */
export const MAX_COMMANDS = 60;

export const sequences = fc.commands(COMMANDS, { maxCommands: MAX_COMMANDS, size: 'max' });

/** Connections a sequence holds at most: every session it may open, plus a spare. */
export const CONNECTIONS_NEEDED = MAX_SESSIONS + 1;

/** Rules the sequences exercise most (a failure cites the rule of the output that differed). */
const RULES = ['SES-BC-1', 'SES-BC-3', 'SES-KICK-1', 'ADM-UPDATE-16', 'SES-FORCE-1', 'SES-FORCE-2', 'USR-AWAY-5'];

/** The steps of a command sequence: each command whose precondition holds adds its steps. */
export function sequenceCase(cmds: Iterable<fc.Command<Model, Steps>>): StepsCase {
  const real: Steps = { steps: [] };
  fc.modelRun(() => ({ model: initialModel(), real }), cmds);
  const steps: Step[] = real.steps.length > 0 ? real.steps : [{ op: 'expectConnected', actor: 'ad' }];
  return {
    id: 'stateful',
    title: `stateful: ${steps.length} steps`,
    rules: RULES,
    actors: ACTORS,
    steps,
  };
}

export const fuzzer: Fuzzer = {
  name: 'stateful',
  connections: CONNECTIONS_NEEDED,
  run: (ctx) =>
    runProperty<Iterable<fc.Command<Model, Steps>>>(ctx, {
      fuzzer: 'stateful',
      failureClass: 'sequence',
      arbitrary: sequences,
      toCase: sequenceCase,
      parts: { split: (cmds) => [...cmds], join: (parts) => parts as Array<fc.Command<Model, Steps>> },
    }),
};
