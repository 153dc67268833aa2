// Preparing a target for a run, over the control connection before any check: raise the per-IP
// limit so the run's connections fit (WIRE-IP-1), and make sure the barrier request is answered
// (UserInfo, the harness's round trip). What the target gets wrong here becomes a finding
// (preflight.ts) and the run goes on with what it has.
import type { ServerInfo } from '../model/index.ts';
import { BARRIER_REQUEST } from './lockstep.ts';
import type { Findings } from './preflight.ts';
import type { ControlConnection, Snapshot } from './target.ts';
import { RawExchangeError, rawRequest, strangersFromOurAddress } from './target.ts';

export interface PrepareOptions {
  timeoutMs: number;
  /** The most connections one check opens at once. */
  connectionsNeeded: number;
  /** Lanes running checks side by side, each with its control connection. */
  lanes: number;
}

/** Returns the server info every check starts from: the snapshot's, with the run's raised limit. */
export async function prepareTarget(
  control: ControlConnection,
  initial: Snapshot,
  opts: PrepareOptions,
  findings: Findings,
): Promise<ServerInfo> {
  // WIRE-IP-1: every lane's connections (its checks' and its control) plus strangers from our
  // address must fit under the limit.
  const needed = opts.lanes * (opts.connectionsNeeded + 1) + strangersFromOurAddress(initial);
  const working = { ...initial.serverInfo };
  const limit = initial.serverInfo.max_connections_per_ip;
  if (limit > 0 && limit < needed && !findings.missing.has('ServerInfoUpdate')) {
    const body = { max_connections_per_ip: needed };
    let detail: string | null = null;
    try {
      const m = await rawRequest(control.raw, 'ServerInfoUpdate', body, opts.timeoutMs, findings);
      if (m.type !== 'ServerInfoUpdateResponse' || m.body.success !== true) detail = `${m.type} ${JSON.stringify(m.body)}`;
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      detail = e.detail;
      findings.notAnswered('ServerInfoUpdate', detail);
    }
    if (detail === null) {
      working.max_connections_per_ip = needed;
      control.login.serverInfo = { ...working };
    } else {
      findings.add('raise-limit', {
        sent: `ServerInfoUpdate ${JSON.stringify(body)}`,
        expected: ['ServerInfoUpdateResponse {success:true}'],
        actual: detail,
      });
    }
  }
  if (!findings.missing.has('UserInfo')) {
    try {
      const m = await rawRequest(control.raw, BARRIER_REQUEST.type, { ...BARRIER_REQUEST.body }, opts.timeoutMs, findings);
      if (m.type !== 'UserInfoResponse')
        findings.answeredWrongly('UserInfo', `answered ${m.type} ${JSON.stringify(m.body.message ?? m.body.error ?? '')}`);
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      findings.notAnswered('UserInfo', e.detail);
    }
  }
  return working;
}
