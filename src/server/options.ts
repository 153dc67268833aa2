// What `startServer` takes and gives back: the reference server's options (bind address, TLS,
// profile, timeouts, the variant and fault hooks of the harness's own tests) and its handle.
import type { Logger } from 'pino';
import type { Choices, State } from '../model/index.ts';
import type { Profile } from '../protocol/types.ts';
import type { OutputForms } from './forms.ts';
import type { ServerFault } from './fault.ts';

export interface ServerOptions {
  /** Bind address; tests use the default 127.0.0.1, the CLI passes 0.0.0.0 (WIRE-PORT-1). */
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  /** TLS like nexusd (WIRE-TLS-1); false = plain TCP (WIRE-TCP-1). */
  tls?: boolean;
  /** PEM key and certificate to serve; default: a fresh self-signed one (WIRE-TLS-2). */
  certificate?: { key: string; cert: string };
  profile?: Profile;
  /** Start from this model state instead of a fresh server (its profile wins over `profile`). */
  initialState?: State;
  /** WIRE-TMO-1 pre-login idle timeout, ms. */
  idleTimeoutMs?: number;
  /** WIRE-TMO-2 frame completion timeout, ms. */
  frameTimeoutMs?: number;
  /** How long a closed-by-us socket may wait for the peer to finish before it is destroyed, ms. */
  lingerMs?: number;
  /** Output queued for a peer that does not read, beyond which the connection is dropped (bytes). */
  maxPendingWriteBytes?: number;
  logger?: Logger;
  /** Clock for the model, unix seconds. */
  now?: () => number;
  /** Seed of the model's fresh-id generator (WIRE-ID-3). */
  idSeed?: number;
  /**
   * A conforming server that decides differently where the spec leaves the choice (rules.md §7):
   * other options at the model's choice points, other decoder rules (UND-11 limits, WIRE-BAD-15
   * types), other forms of the same outputs (carriers, alternatives, optional frames and closes,
   * order of own copies, UND-14 locales; forms.ts). For the harness's own tests; the reference
   * server takes the reference's choices (rules.md §8).
   */
  variant?: {
    choices?: Choices;
    limitFor?: (type: string) => number;
    isKnownType?: (name: string) => boolean;
    /** Other allowed forms of the model's outputs (`accept` annotations, forms.ts). */
    forms?: OutputForms;
  };
  /**
   * Deliberate deviations (fault.ts): a broken server for the harness's own tests and for
   * `serve --fault`. Never set on the reference server.
   */
  faults?: ServerFault[];
}

export interface ReferenceServer {
  host: string;
  port: number;
  tls: boolean;
  /** SHA-256 certificate fingerprint, upper-case colon form (TLS only). */
  fingerprint?: string;
  /** The current model state. */
  state(): State;
  /**
   * How often this server reached each choice point option (by label, e.g. `UND-4: "" stored as
   * no status`) and applied each variant output form (forms.ts): proof for tests that a variant
   * was exercised.
   */
  seen(): Record<string, number>;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_FRAME_TIMEOUT_MS = 60_000;
export const DEFAULT_LINGER_MS = 5_000;
export const DEFAULT_MAX_PENDING_WRITE_BYTES = 16 * 1024 * 1024;
