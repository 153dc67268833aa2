// A client connection to a Nexus server: one socket (opened by transport.ts), one frame decoder
// for what the peer sends, one inbox (inbox.ts) that publishes the decoded frames and then the
// close in arrival order, input caps that bound what a peer can make it hold unread, and a close record
// that says why and after which frame the stream ended. Writing is bytes only; requests and their
// answers are the raw client's (raw-client.ts) or the lockstep's.
import type net from 'node:net';
import { FrameDecoder } from '../protocol/frame.ts';
import { PayloadTooLargeError, type FrameError } from '../protocol/frame-errors.ts';
import type { RawFrame } from '../protocol/types.ts';
import type { CloseInfo, CloseReason } from './errors.ts';
import { Inbox, nextSeq, toReceived } from './inbox.ts';
import { errCode, isTlsFailure, openSocket, type SocketOptions, type Transport } from './transport.ts';

export * from './errors.ts';
export { Inbox, nextSeq, type Arrival, type Received } from './inbox.ts';
export { normalizeFingerprint, type Transport, type TransportChoice } from './transport.ts';

export interface OpenOptions extends SocketOptions {
  /** What one connection keeps of a peer's output (default INPUT_CAPS). */
  caps?: Partial<InputCaps>;
}

/**
 * Memory a peer can make one connection hold, whatever it sends: a hostile or broken target that
 * floods frames faster than the harness reads them, or announces a huge payload, is dropped (close
 * reason `overflow`) once it passes these, so a flood is bounded by a cap, not by the machine. The
 * frame and byte caps count what is unread (received, not yet taken by a consumer): a connection
 * whose frames are read may receive any number over its life.
 */
export interface InputCaps {
  /** Largest payload a server frame may announce (a ServerInfo image is under 1 MiB). */
  maxFramePayload: number;
  /** Unread frames one connection holds; far above what a check leaves unread between two reads. */
  maxFrames: number;
  /** Payload bytes of the unread frames, all together. */
  maxBytes: number;
}

export const INPUT_CAPS: Readonly<InputCaps> = { maxFramePayload: 16 * 1024 * 1024, maxFrames: 50_000, maxBytes: 64 * 1024 * 1024 };

export class NexusConnection {
  readonly transport: Transport;
  /** SHA-256 of the peer certificate, upper-case colon form (TLS only). */
  readonly fingerprint?: string;
  readonly localPort: number;
  /**
   * The local IP of the socket: the address the target sees for this connection unless a NAT sits
   * in between (WIRE-IP-1 counts connections per IP). `''` if the socket never had one.
   */
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Everything the peer sent, in arrival order, then the close. */
  readonly inbox = new Inbox();
  /** Settles once, with the first reason the connection was seen to end. Never rejects. */
  readonly closed: Promise<CloseInfo>;

  private readonly sock: net.Socket;
  /** The TCP socket under `sock` (the same object for plain). */
  private readonly tcp: net.Socket;
  private readonly decoder: FrameDecoder;
  private readonly caps: InputCaps;
  private resolveClosed!: (i: CloseInfo) => void;
  private readonly socketGone: Promise<void>;

  /** Connects (transport.ts): rejects with a typed error (errors.ts) when the target cannot be reached. */
  static async open(opts: OpenOptions): Promise<NexusConnection> {
    const opened = await openSocket(opts);
    return new NexusConnection(opened.sock, opened.tcp, opened.transport, opened.fingerprint, opts.timeoutMs, {
      ...INPUT_CAPS,
      ...opts.caps,
    });
  }

  private constructor(
    sock: net.Socket,
    tcp: net.Socket,
    transport: Transport,
    fingerprint: string | undefined,
    private readonly lingerMs: number,
    caps: InputCaps,
  ) {
    this.caps = caps;
    this.decoder = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0, maxPayload: caps.maxFramePayload });
    this.sock = sock;
    this.tcp = tcp;
    this.transport = transport;
    if (fingerprint !== undefined) this.fingerprint = fingerprint;
    this.localPort = sock.localPort ?? 0;
    this.localAddress = tcp.localAddress ?? sock.localAddress ?? '';
    this.remoteAddress = sock.remoteAddress ?? '';
    this.remotePort = sock.remotePort ?? 0;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.socketGone = new Promise((resolve) => {
      if (sock.destroyed) resolve();
      else sock.once('close', () => resolve());
    });
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('end', () => this.onEnd());
    sock.on('error', (e: Error) => {
      if (this.transport === 'tls' && isTlsFailure(e)) this.finish('tls-error', `${errCode(e) ?? ''} ${e.message}`.trim());
      else this.finish('reset', `${errCode(e) ?? ''} ${e.message}`.trim());
    });
    sock.on('close', () => this.finish('eof', 'socket closed'));
    if (sock.destroyed) this.finish('eof', 'socket closed before use');
  }

  get isClosed(): boolean {
    return this.inbox.closeInfo !== null;
  }

  /** The close record once closed. */
  get closeInfo(): CloseInfo | null {
    return this.inbox.closeInfo;
  }

  /** The peer has sent the start of a frame that has not completed yet (a stalled or dripping sender). */
  get midFrame(): boolean {
    return this.decoder.midFrame;
  }

  /**
   * Writes bytes as they are. Returns false when the connection is already closed (nothing
   * written). Write failures (EPIPE, ECONNRESET) only end the connection (WIRE-LIM-3).
   */
  sendRaw(bytes: Uint8Array): boolean {
    if (this.isClosed || this.sock.destroyed || !this.sock.writable) return false;
    this.sock.write(bytes, () => {
      // Errors surface through the 'error' handler as a close; nothing to do per write.
    });
    return true;
  }

  /**
   * Ends our side and waits for the socket to finish (destroyed after the open timeout if the peer
   * never finishes). The close reason is `local` unless the connection had already closed.
   */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.finish('local', 'closed by the harness');
      this.sock.end();
      const t = setTimeout(() => this.sock.destroy(), this.lingerMs);
      await this.socketGone;
      clearTimeout(t);
      return;
    }
    this.sock.destroy();
    await this.socketGone;
  }

  /** Tears the socket down at once. `timeout` records that the harness gave up waiting on the peer. */
  destroy(reason: 'local' | 'timeout' = 'local', detail?: string): void {
    this.finish(reason, detail ?? (reason === 'local' ? 'destroyed by the harness' : 'abandoned after a timeout'));
    this.sock.destroy();
  }

  /** Aborts with a TCP RST instead of a FIN (abrupt client death, for close-handling probes). */
  reset(): void {
    this.finish('local', 'reset by the harness');
    if (this.tcp.destroyed) return;
    this.tcp.resetAndDestroy();
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    const { frames, error } = this.decoder.push(chunk);
    for (const f of frames) {
      if (this.isClosed) return;
      this.record(f);
    }
    if (error) this.protocolError(error);
  }

  private onEnd(): void {
    if (this.isClosed) return;
    const error = this.decoder.end();
    if (error) this.protocolError(error);
    else this.finish('eof', 'peer closed the connection');
  }

  /** A server frame broke the grammar: record it and drop the connection. */
  private protocolError(error: FrameError): void {
    if (error instanceof PayloadTooLargeError) {
      const len = /payload length (\d+)/.exec(error.message)?.[1];
      this.overflow(`the target announced a ${len ?? 'huge'}-byte frame, above the ${this.caps.maxFramePayload}-byte cap`);
      return;
    }
    this.finish('protocol-error', error.message, error);
    this.sock.destroy();
  }

  /** The peer passed an input cap: drop it, so a flood costs bounded memory. */
  private overflow(detail: string): void {
    this.finish('overflow', detail);
    this.sock.destroy();
  }

  private record(raw: RawFrame): void {
    const { maxFrames, maxBytes } = this.caps;
    const { pendingCount, pendingBytes } = this.inbox;
    if (pendingCount >= maxFrames || pendingBytes + raw.payload.length > maxBytes) {
      const what = pendingCount >= maxFrames ? `${maxFrames} unread frames` : `${maxBytes} bytes of unread frames`;
      this.overflow(`the target sent more than ${what} on one connection (a flood)`);
      return;
    }
    this.inbox.push(toReceived(raw));
  }

  private finish(reason: CloseReason, detail: string, error?: FrameError): void {
    if (this.isClosed) return;
    const info: CloseInfo = { reason, seq: nextSeq(), detail };
    if (error) info.frameError = error.info;
    this.inbox.close(info);
    this.resolveClosed(info);
  }
}
