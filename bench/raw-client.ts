// The physical floor's client: the least a client can do for one exchange (encode a frame, write
// it, read bytes, decode frames and their JSON). No correlation tables, no model, no logging, so
// its round-trip time is what the wire and the server cost, and the suite is measured against it.
import net from 'node:net';
import tls from 'node:tls';
import { FrameDecoder, encodeMessage } from '../src/protocol/frame.ts';
import { PROTOCOL_VERSION } from '../src/model/state.ts';
import { isServerType, type Message } from '../src/protocol/types.ts';

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

export class RawClient {
  private readonly decoder = new FrameDecoder({ isKnownType: isServerType, limitFor: () => 0 });
  private readonly inbox: Message[] = [];
  private waiter: (() => void) | null = null;
  private counter = 0;
  closed = false;
  /** Every frame of a type is counted here as it arrives (broadcast measurements). */
  readonly seen = new Map<string, number>();
  /** Types that are only counted (in `seen`), never queued: broadcasts nobody reads. */
  readonly ignore = new Set<string>();

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const { frames, error } = this.decoder.push(chunk);
      for (const f of frames) {
        const m: Message = { type: f.type, id: f.id, body: JSON.parse(Buffer.from(f.payload).toString('utf8')) };
        this.seen.set(m.type, (this.seen.get(m.type) ?? 0) + 1);
        if (!this.ignore.has(m.type)) this.inbox.push(m);
      }
      if (error) socket.destroy();
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(ep: Endpoint): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = ep.tls
        ? tls.connect({ host: ep.host, port: ep.port, rejectUnauthorized: false })
        : net.connect({ host: ep.host, port: ep.port });
      socket.once(ep.tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  nextId(): string {
    return (++this.counter).toString(16).padStart(12, '0');
  }

  send(type: string, body: Record<string, unknown>, id = this.nextId()): string {
    this.socket.write(encodeMessage({ type, id, body: { type, ...body } }));
    return id;
  }

  /** The next frame (any type); rejects when the connection closes first or after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.inbox.shift();
      if (m) return m;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Sends a request and returns the frame echoing its id (broadcasts in between are dropped). */
  async request(type: string, body: Record<string, unknown>, timeoutMs = 10_000): Promise<Message> {
    const id = this.send(type, body);
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.id === id) return m;
    }
  }

  /** Handshake + Login; throws unless both succeed. */
  async login(username: string, password: string, extra: Record<string, unknown> = {}): Promise<void> {
    const hs = await this.request('Handshake', { version: PROTOCOL_VERSION });
    if (hs.body.success !== true) throw new Error(`handshake failed: ${JSON.stringify(hs.body)}`);
    const lr = await this.request('Login', { username, password, locale: 'en', features: [], ...extra });
    if (lr.body.success !== true) throw new Error(`login as ${username} failed: ${JSON.stringify(lr.body)}`);
  }

  /** Drops whatever arrived and was not read yet (broadcasts about other sessions). */
  drain(): void {
    this.inbox.length = 0;
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
