// Other allowed forms of what the model says. The model annotates every output whose form the spec
// leaves open (`accept` on sends and closes, events.ts); the reference server writes the reference's
// form (rules.md §8). A *variant* server — for the harness's own tests only — writes another allowed
// form instead, so that the suite can be proven to accept it. None of these changes the model state:
// where a choice changes what happens next, the model offers it as a choice point (Ctx.choose) and
// the variant picks it through `choices` instead.
import type { CloseOutput, Event, Output, SendOutput } from '../model/index.ts';
import { referenceWrites } from '../model/events.ts';
import type { Message } from '../protocol/types.ts';
import { setMember } from '../protocol/types.ts';

export interface OutputForms {
  /**
   * Error carriers (`SendOutput.error.carriers`): `other` takes the first allowed carrier after the
   * reference's, `last` the last one — e.g. `LoginResponse {success:false}` for a Login failure in
   * `spec`, `Error` (with a close for E!) for ADM-CREATE-6 in `spec`. A close the new carrier
   * implies (E!) is added; a close the model requires stays.
   */
  carrier?: 'other' | 'last';
  /** Write the first accepted alternative message (`accept.alternatives`) instead of the reference's. */
  alternative?: boolean;
  /** Leave out optional frames (the Error before a framing close, a no-op UserBack broadcast in `spec`). */
  omitOptional?: boolean;
  /** Write the frames the reference leaves out (`notSentByReference`, e.g. a no-op PermissionsUpdated in `spec`). */
  sendUnsent?: boolean;
  /** Write the requester's own broadcast copies before its direct response (`anyOrderWithResponse`, WIRE-ORD-2 `spec`). */
  copiesFirst?: boolean;
  /** Keep connections open where the close is optional (WIRE-SEQ-4 and ADM-SINFO-2 in `spec`, WIRE-BAD-15). */
  keepOptionalOpen?: boolean;
  /** SES-KICK-3 `nexusd`: leave a removed session's socket open (its next request gets E-AUTHENTICATION). */
  lazyClose?: boolean;
  /** UND-14: aggregated entries carry the locale of their earliest session instead of the latest's. */
  earliestLocale?: boolean;
}

/**
 * What a server taking `forms` writes for `outputs` (the outputs of `event`). `note` hears every
 * form actually applied (e.g. `carrier T for Login`), so tests can prove a variant was exercised.
 */
export function applyForms(
  outputs: Output[],
  event: Event,
  forms: OutputForms | undefined,
  note: (what: string) => void = () => {},
): Output[] {
  if (!forms) return referenceWrites(outputs);
  let out: Output[] = [];
  for (const o of outputs) {
    if (o.kind === 'close') {
      if (forms.keepOptionalOpen && o.accept?.optional) {
        note(`keepOptionalOpen: ${o.rules[0] ?? o.reason}`);
        continue;
      }
      if (forms.lazyClose && o.accept?.lazy) {
        note(`lazyClose: ${o.rules[0] ?? o.reason}`);
        continue;
      }
      out.push(o);
      continue;
    }
    if (o.accept?.notSentByReference) {
      if (!forms.sendUnsent) continue;
      note(`sendUnsent: ${o.message.type}`);
    } else if (forms.omitOptional && o.accept?.optional) {
      note(`omitOptional: ${o.message.type}`);
      continue;
    }
    out.push(reshape(o, forms, note));
  }
  out = addImpliedCloses(out);
  if (forms.copiesFirst && event.kind === 'frame') out = copiesBeforeResponse(out, event.conn, event.frame.id, note);
  return out;
}

function reshape(o: SendOutput, forms: OutputForms, note: (what: string) => void): SendOutput {
  let message: Message = o.message;
  const alt = o.accept?.alternatives?.[0];
  let carrier: string | undefined;
  if (forms.alternative && alt) {
    message = { type: alt.type, id: message.id, body: alt.body };
    note(`alternative: ${o.message.type}${o.error ? ` ${o.error.key}` : ''}`);
  } else if (forms.carrier && o.error && o.error.carriers.length > 1) {
    const carriers = o.error.carriers;
    carrier = forms.carrier === 'other' ? carriers[1] : carriers[carriers.length - 1];
    const reshaped = inCarrier(o, carrier!);
    if (reshaped) {
      message = reshaped;
      note(`carrier ${carrier}: ${o.error.key} (${o.error.command ?? 'no command'})`);
    } else carrier = undefined;
  }
  if (forms.earliestLocale && o.accept?.anyLocaleOf) {
    message = { ...message, body: withLocales(message.body, o.accept.anyLocaleOf) as Message['body'] };
    note(`earliestLocale: ${o.message.type}`);
  }
  const reshaped: SendOutput = { ...o, message };
  if (carrier === 'E!') IMPLIES_CLOSE.add(reshaped);
  return reshaped;
}

/** The error of `o` carried by `carrier` (T typed response, E / E! Error with the command). */
function inCarrier(o: SendOutput, carrier: string): Message | null {
  const e = o.error!;
  const text = o.message.body.message ?? o.message.body.error;
  if (typeof text !== 'string' || e.command === undefined) return null;
  if (carrier === 'T') {
    const type = `${e.command}Response`;
    return { type, id: o.message.id, body: { type, success: false, error: text } };
  }
  if (carrier === 'E' || carrier === 'E!')
    return { type: 'Error', id: o.message.id, body: { type: 'Error', message: text, command: e.command } };
  return null;
}

/** Sends reshaped into an E! carrier: their connection closes after them. */
const IMPLIES_CLOSE = new WeakSet<SendOutput>();

/** An Error now carried as E! closes its connection unless a close already follows. */
function addImpliedCloses(out: Output[]): Output[] {
  const result: Output[] = [];
  for (const [i, o] of out.entries()) {
    result.push(o);
    if (o.kind !== 'send' || !IMPLIES_CLOSE.has(o)) continue;
    if (out.slice(i + 1).some((x) => x.kind === 'close' && x.conn === o.conn)) continue;
    const close: CloseOutput = { kind: 'close', conn: o.conn, reason: 'error', rules: o.rules };
    result.push(close);
  }
  return result;
}

/** WIRE-ORD-2: the requester's floating own copies go right before its direct response. */
function copiesBeforeResponse(out: Output[], conn: string, requestId: string, note: (what: string) => void): Output[] {
  const at = out.findIndex((o) => o.kind === 'send' && o.conn === conn && o.message.id === requestId);
  if (at < 0) return out;
  const floating = out.filter((o, i) => i > at && o.kind === 'send' && o.conn === conn && o.accept?.anyOrderWithResponse === true);
  if (floating.length === 0) return out;
  for (const f of floating) if (f.kind === 'send') note(`copiesFirst: ${f.message.type}`);
  const rest = out.filter((o) => !floating.includes(o));
  rest.splice(rest.indexOf(out[at]!), 0, ...floating);
  return rest;
}

/** UND-14: every aggregated entry takes the first (earliest login's) allowed locale. */
function withLocales(value: unknown, allowed: NonNullable<NonNullable<SendOutput['accept']>['anyLocaleOf']>): unknown {
  if (Array.isArray(value)) return value.map((v) => withLocales(v, allowed));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) setMember(copy, k, withLocales(v, allowed));
  const ids = o.session_ids;
  if (typeof o.locale === 'string' && Array.isArray(ids)) {
    const key = [...ids]
      .map(Number)
      .sort((a, b) => a - b)
      .join(',');
    const entry = allowed.find((l) => l.sessionIds.join(',') === key);
    if (entry) copy.locale = entry.locales[0];
  }
  return copy;
}
