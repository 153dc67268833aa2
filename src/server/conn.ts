// One accepted socket as the server shell tracks it: its streams (raw TCP, TLS over it), its frame
// decoder, its timers and where it is in its life (closing, gone, hung by a fault).
import type net from 'node:net';
import type { FrameDecoder } from '../protocol/frame.ts';
import type { ConnId } from '../protocol/types.ts';

export interface Conn {
  id: ConnId;
  raw: net.Socket;
  /** `raw`, or the TLS socket over it once the model admitted the connection. */
  stream: net.Socket;
  decoder: FrameDecoder;
  /** TLS handshake done (always true for plain). Before it, no application byte can go out. */
  secure: boolean;
  /** A close output was applied: input is ignored from now on (WIRE-SEQ-8). */
  closing: boolean;
  /** The socket is gone. */
  gone: boolean;
  /** The model already got a `close` event for it. */
  closeDispatched: boolean;
  idleTimer: NodeJS.Timeout | null;
  frameTimer: NodeJS.Timeout | null;
  lingerTimer: NodeJS.Timeout | null;
  /** A fault made this connection hang: input is swallowed, nothing is ever answered. */
  hung: boolean;
}

export function clearTimers(c: Conn): void {
  if (c.idleTimer) clearTimeout(c.idleTimer);
  if (c.frameTimer) clearTimeout(c.frameTimer);
  c.idleTimer = null;
  c.frameTimer = null;
}

/** RST: a peer that never finishes its side must not hold a socket (and the peer must notice). */
export function abort(c: Conn): void {
  if (c.raw.destroyed) return;
  try {
    c.raw.resetAndDestroy();
  } catch {
    c.raw.destroy(); // no TCP handle left to reset
  }
}
