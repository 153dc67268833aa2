// Typed failures of client connections. Each carries a one-line human message, so the runner can
// print `err.message` as is, and enough structure (code, expected/actual, close info) to decide.
import type { FrameErrorInfo } from '../protocol/frame-errors.ts';

export type CloseReason = 'eof' | 'reset' | 'timeout' | 'tls-error' | 'protocol-error' | 'overflow' | 'local';

export interface CloseInfo {
  /**
   * eof: the peer ended the stream cleanly between frames; reset: socket error (ECONNRESET, EPIPE…);
   * timeout: abandoned by the harness (`destroy('timeout')`); tls-error: TLS failure after the
   * handshake; protocol-error: the peer's bytes broke the frame grammar (including EOF mid-frame);
   * overflow: the peer sent more than the connection holds unread (a flood, a huge frame) and was dropped;
   * local: we closed it.
   */
  reason: CloseReason;
  /** From the process-wide counter shared with `Received.seq`: the close happened after every frame with a lower seq. */
  seq: number;
  detail?: string;
  /** Set for `protocol-error`. */
  frameError?: FrameErrorInfo;
}

/** Base class of every error this layer produces. */
export class NetError extends Error {
  override name = 'NetError';
}

/** TCP connection could not be established: refused, unreachable, DNS failure. */
export class ConnectError extends NetError {
  override name = 'ConnectError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** TCP came up but the TLS handshake failed (or the peer closed during it). */
export class TlsError extends NetError {
  override name = 'TlsError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A bounded wait (connect, handshake, take) expired. */
export class TimeoutError extends NetError {
  override name = 'TimeoutError';
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/** The peer certificate does not match the pinned SHA-256 fingerprint (WIRE-TLS-3). */
export class FingerprintMismatchError extends NetError {
  override name = 'FingerprintMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`server certificate fingerprint ${actual} does not match the pinned ${expected}`);
  }
}

/** The connection closed before a matching frame arrived. */
export class ClosedError extends NetError {
  override name = 'ClosedError';
  constructor(readonly info: CloseInfo) {
    super(`connection closed (${info.reason}${info.detail ? `: ${info.detail}` : ''}) before a matching frame arrived`);
  }
}
