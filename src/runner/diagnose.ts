// Diagnoses: when a target's answer differs from the model's in a way the spec recognises as a
// known, named deviation (a target that follows a later upstream rule, say), the failure says so
// and cites that rule instead of showing a bare mismatch. Pure; consulted only after a mismatch.
import { classifyError, parseSemVer } from '../model/index.ts';
import type { SendOutput, State } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';

export interface Diagnosis {
  /** The rule the deviation breaks (cited instead of the output's first rule). */
  rule: string;
  /** One line that names the deviation, shown before the observed frame. */
  note: string;
}

/**
 * Names a known deviation behind `observed` not matching `expected`, or null.
 * `request`: the body of the request `expected` answers, when it answers one.
 */
export function diagnose(
  expected: SendOutput,
  observed: Message,
  request: Record<string, unknown> | undefined,
  model: Readonly<State>,
): Diagnosis | null {
  return laterVersionRule(expected, observed, request, model);
}

/**
 * SES-HS-3: in this era a client with the server's major and a *lower* minor is compatible. Later
 * upstream (protocol ≥ 0.7) requires equal minors while the major is 0 and answers
 * E-VERSION-MINOR-MISMATCH; a target refusing such a client follows that later rule.
 */
function laterVersionRule(
  expected: SendOutput,
  observed: Message,
  request: Record<string, unknown> | undefined,
  model: Readonly<State>,
): Diagnosis | null {
  if (expected.message.type !== 'HandshakeResponse' || expected.message.body.success !== true) return null;
  const version = request?.version;
  if (typeof version !== 'string') return null;
  const client = parseSemVer(version);
  const server = parseSemVer(model.config.protocolVersion);
  if (!client || !server || server.major !== 0 || client.major !== 0 || client.minor >= server.minor) return null;
  const text = observed.type === 'Error' ? observed.body.message : observed.body.error;
  const refused = observed.type === 'Error' || (observed.type === 'HandshakeResponse' && observed.body.success === false);
  if (!refused) return null;
  const keys = typeof text === 'string' ? classifyError(text) : [];
  const how = keys.includes('E-VERSION-MINOR-MISMATCH')
    ? 'E-VERSION-MINOR-MISMATCH'
    : `${keys.length > 0 ? keys.join(' / ') : 'an unrecognised error'} (the later rule's key is E-VERSION-MINOR-MISMATCH)`;
  return {
    rule: 'SES-HS-3',
    note:
      `the target follows the later rule (protocol ≥ 0.7: equal minor versions required while the major is 0), ` +
      `not this era's "client minor ≤ server minor": client ${version} refused by a ${model.config.protocolVersion} server with ${how}`,
  };
}
