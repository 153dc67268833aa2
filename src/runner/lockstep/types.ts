// The lockstep engine's public shapes: how it is configured, what it writes, what an exchange
// answers, what its traffic tap hears, and how it stops (a mismatch, an interrupt).
import type { Logger } from 'pino';
import type { SendOutput } from '../../model/index.ts';
import type { ConnId, MatchMode, Profile } from '../../protocol/types.ts';
import type { Received } from '../../net/connection.ts';
import type { AbsentOutputs } from './absent-outputs.ts';

export interface TargetAddress {
  host: string;
  port: number;
  transport: 'tls' | 'plain';
  fingerprint?: string;
}

export interface LockstepOptions {
  profile: Profile;
  match: MatchMode;
  timeoutMs: number;
  target: TargetAddress;
  /** Run-prefixed names: the run's own accounts and nicknames (strangers never use the prefix). */
  isRunName: (name: string) => boolean;
  /** The admin username (the control session belongs to the run too). */
  adminUsername: string;
  /**
   * Names of the run's other lanes (`--jobs`): strangers whose accounts come and go during the run,
   * so their stored-account entries may be missing from a list, and the mirror forgets such an
   * account once its last session has gone. Absent: no sibling lanes.
   */
  isSiblingName?: (name: string) => boolean;
  seed: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Hears every frame the harness writes and receives and every open and close (transcripts, traces). */
  onTraffic?: (e: TrafficEvent) => void;
  /** Output kinds presumed absent (broadcasts, removal closes), shared by the run's lanes; absent: every wait takes the whole timeout. */
  absent?: AbsentOutputs;
}

/** One event of a connection's traffic, rendered with passwords masked (render.ts). */
export interface TrafficEvent {
  /** ms since the epoch */
  at: number;
  conn: ConnId;
  actor: string;
  dir: 'opened' | 'sent' | 'received' | 'closed';
  type?: string;
  id?: string;
  /**
   * The rendered frame (`Type#id {json}`) or bytes; empty for opens and closes. Rendered when first
   * read (lazyText): most traffic belongs to checks that pass and is never shown.
   */
  readonly text: string;
  /** A written message's body as rendered: secrets masked, long strings shortened (render.ts maskedFrame). */
  body?: Readonly<Record<string, unknown>>;
}

/** `fields` plus a `text` that is rendered on first read and kept (enumerable, so a spread copies it). */
export function lazyText<T extends object>(fields: T, render: () => string): T & { readonly text: string } {
  let text: string | undefined;
  return Object.defineProperty(fields, 'text', {
    enumerable: true,
    get: () => (text ??= render()),
  }) as T & { readonly text: string };
}

/** One thing to write: a well-formed request (the `type` member is added) or raw bytes. */
export type Outgoing =
  { kind: 'message'; type: string; body: Record<string, unknown>; id?: string } | { kind: 'raw'; bytes: Uint8Array | string };

/** The outcome of one request of an exchange. */
export interface Answer {
  /** The request id written. */
  id: string;
  type: string;
  /** What the model predicts as the direct answer (null: none, e.g. a silent close). */
  predicted: SendOutput | null;
  /** The frame the target answered with (null: none arrived, e.g. the connection closed). */
  observed: Received | null;
  /** The connection was already gone or closed instead of answering, which the spec allowed (SES-KICK-3). */
  closedInstead: boolean;
  /** When the spec allowed several outcomes of the exchange: the one the target's traffic showed (outcomes.ts). */
  outcome?: string;
}

/**
 * A causal barrier on an authenticated connection: `UserInfo {nickname: ""}` is answered with
 * E-NICKNAME-EMPTY by every profile, needs no permission and changes nothing (USR-INFO-2). Its
 * answer proves that everything the target sent earlier on this connection has been checked.
 */
export const BARRIER_REQUEST = { type: 'UserInfo', body: { nickname: '' } } as const;

/** The run was interrupted (SIGINT/SIGTERM). */
export class RunAborted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunAborted';
  }
}
