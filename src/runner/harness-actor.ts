// The `Actor` of api.ts as the runner implements it: requests, pipelines and raw writes go through
// the lockstep engine; `Reply.expectSuccess` / `expectError` state the rule the check promises;
// `setupStep` is a request the runner itself makes (setup, cleanup) that must succeed.
import type { ErrorKey } from '../model/index.ts';
import type { ClientType, ServerType } from '../protocol/types.ts';
import type { Received } from '../net/connection.ts';
import type { Actor, Observed, Reply } from './api.ts';
import type { RunContext } from './actors.ts';
import { errorTextMatches } from './compare.ts';
import { loginBody } from './login-body.ts';
import { noteSent } from './expect.ts';
import { CheckFailure } from './failures.ts';
import type { Answer, HarnessConn, Outgoing } from './lockstep.ts';
import { renderMessage } from './render.ts';
import type { Failure } from './results.ts';

/** A request the runner makes for the check (setup, cleanup) that must succeed. */
export async function setupStep(
  run: RunContext,
  actor: HarnessActor,
  type: ClientType,
  body: Record<string, unknown>,
  what: string,
): Promise<Answer> {
  const answer = await run.lockstep.request(actor.hc, type, body);
  const m = answer.observed?.message;
  if (!m || m.body.success !== true) {
    const rule = run.check.rules[0] ?? 'GEN-3';
    const sentBody = { type, ...body };
    throw new CheckFailure([
      {
        rule,
        sent: renderMessage({ type, id: answer.id, body: sentBody }),
        expected: [`${type}Response {success:true}`],
        note: `${what} (runner setup)`,
        actual: m ? renderMessage(m) : 'nothing',
        actor: actor.name,
      },
    ]);
  }
  return answer;
}

export interface Credentials {
  username: string;
  password: string;
  nickname: string;
  isShared?: boolean;
  locale?: string;
  avatar?: string;
  features?: string[];
}

export class HarnessActor implements Actor {
  constructor(
    readonly run: RunContext,
    readonly name: string,
    readonly hc: HarnessConn,
    private readonly creds: Credentials,
  ) {}

  get username(): string {
    return this.creds.username;
  }
  get nickname(): string {
    return this.creds.nickname;
  }
  get password(): string {
    return this.creds.password;
  }
  get sessionId(): number | undefined {
    return this.run.lockstep.sessionOf(this.hc);
  }
  get connected(): boolean {
    return this.run.lockstep.isOpen(this.hc) && this.run.lockstep.phaseOf(this.hc) !== undefined;
  }

  /** The Login this actor makes by default: its credentials, locale "en" unless its spec says otherwise. */
  loginBody(): Record<string, unknown> {
    const { features, locale, avatar, isShared, nickname } = this.creds;
    return loginBody(this.creds.username, this.creds.password, {
      ...(features !== undefined ? { features } : {}),
      ...(locale !== undefined ? { locale } : {}),
      ...(avatar !== undefined ? { avatar } : {}),
      ...(isShared ? { nickname } : {}),
    });
  }

  request(type: ClientType, body: Record<string, unknown> = {}): Reply {
    return makeReply(this, type, body, () => this.run.lockstep.request(this.hc, type, body));
  }

  async pipeline(requests: Array<{ type: ClientType; body?: Record<string, unknown> }>): Promise<Array<Observed | null>> {
    const items: Outgoing[] = requests.map((r) => ({ kind: 'message', type: r.type, body: r.body ?? {} }));
    const answers = await this.run.lockstep.exchange(this.hc, items);
    return answers.map((a, i) => this.observed(a.observed, sentFrame(requests[i]!.type, requests[i]!.body ?? {}, a)));
  }

  async sendRaw(bytes: Uint8Array | string): Promise<void> {
    await this.run.lockstep.exchange(this.hc, [{ kind: 'raw', bytes }]);
  }

  handshake(version?: string): Reply {
    const body = { version: version ?? this.run.lockstep.model().config.protocolVersion };
    return this.request('Handshake', body);
  }

  login(body?: Record<string, unknown>): Reply {
    return this.request('Login', body ?? this.loginBody());
  }

  async expectConnected(): Promise<void> {
    const lockstep = this.run.lockstep;
    if (lockstep.isOpen(this.hc)) {
      const phase = lockstep.phaseOf(this.hc);
      // A causal barrier needs a session (USR-INFO-2 answers without side effects only then); before
      // login every request has an effect, so only the arrivals so far can be checked.
      if (phase === 'auth' || phase === 'removed') await lockstep.barrier(this.hc);
      else await lockstep.exchange(this.hc, []);
    }
    if (!lockstep.isOpen(this.hc)) {
      throw new CheckFailure([this.failure(['the connection stays open'], `closed (${lockstep.closeReason(this.hc)})`, '(round trip)')]);
    }
  }

  async expectClosed(o: { withinMs?: number } = {}): Promise<void> {
    await this.run.lockstep.awaitClose(this.hc, Math.max(0, o.withinMs ?? this.run.closeWaitMs));
  }

  async close(): Promise<void> {
    await this.run.lockstep.closeFromClient(this.hc);
  }

  /** The answer as the scenario sees it (model session ids), remembering the request it answers (`sent`). */
  observed(r: Received | null, sent: string): Observed | null {
    if (!r?.message) return null;
    const o = { type: r.message.type, id: r.message.id, body: this.run.lockstep.toModelIds(r.message.body) };
    noteSent(o, sent);
    return o;
  }

  /** A failure of this actor's check: `expected` lists the allowed outcomes, `note` qualifies them. */
  failure(expected: string[], actual: string, sent: string, note?: string): Failure {
    return { rule: this.run.check.rules[0] ?? 'GEN-3', sent, expected, ...(note !== undefined ? { note } : {}), actual, actor: this.name };
  }
}

/**
 * A Reply runs eagerly (the request is on its way when `request` returns) and never leaves an
 * unhandled rejection behind, whether or not the scenario awaits it.
 */
function makeReply(actor: HarnessActor, type: string, body: Record<string, unknown>, run: () => Promise<Answer>): Reply {
  const answer = run();
  answer.catch(() => {});
  const sentOf = (a: Answer): string => sentFrame(type, body, a);
  const observed = answer.then((a) => actor.observed(a.observed, sentOf(a)));
  observed.catch(() => {});
  const shown = (a: Answer): string =>
    a.observed?.message ? renderMessage(a.observed.message) : a.closedInstead ? 'connection closed' : 'nothing';
  const predictedText = (a: Answer): string =>
    a.predicted?.error
      ? `the model predicts ${a.predicted.error.key}`
      : a.predicted
        ? `the model predicts ${a.predicted.message.type}`
        : 'the model predicts no answer';

  return {
    then: (onFulfilled, onRejected) => observed.then(onFulfilled, onRejected),
    async expectSuccess(rule?: string): Promise<Observed> {
      const a = await answer;
      const o = actor.observed(a.observed, sentOf(a));
      const ok = o !== null && o.type === (`${type}Response` as ServerType) && o.body.success === true;
      if (!ok || a.predicted?.error) {
        const failure = actor.failure([`${type}Response {success:true}`], shown(a), sentOf(a), predictedText(a));
        throw new CheckFailure([rule !== undefined ? { ...failure, rule } : failure]);
      }
      return o;
    },
    async expectError(key: ErrorKey): Promise<Observed> {
      const a = await answer;
      const o = actor.observed(a.observed, sentOf(a));
      const predicted = a.predicted?.error;
      if (o === null) {
        // SES-KICK-3: a removed session's socket may be closed instead of answering E-AUTHENTICATION.
        if (a.closedInstead && key === 'E-AUTHENTICATION') return { type: 'Error', id: a.id, body: {} };
        throw new CheckFailure([actor.failure([key], shown(a), sentOf(a), predictedText(a))]);
      }
      // The scenario's claim must be the model's, and the text must carry it as the comparator decides.
      if (predicted?.key !== key) throw new CheckFailure([actor.failure([key], shown(a), sentOf(a), predictedText(a))]);
      const text = o.type === 'Error' ? o.body.message : o.body.error;
      if (typeof text !== 'string' || !errorTextMatches(text, predicted, actor.run.settings)) {
        throw new CheckFailure([actor.failure([key], shown(a), sentOf(a), `${actor.run.settings.match} match`)]);
      }
      return o;
    },
  };
}

/** The request as the reports show it (passwords masked). */
function sentFrame(type: string, body: Record<string, unknown>, a: Pick<Answer, 'id'>): string {
  return renderMessage({ type, id: a.id, body: { type, ...body } });
}
