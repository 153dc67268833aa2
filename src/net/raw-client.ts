// The raw client: requests written as frames and their answers read from the connection's inbox,
// outside any model — the control connection's setup, snapshots and cleanup, tools and tests. It
// pairs an answer with its request by id (WIRE-ID-2), takes frames out of the inbox's stream and
// leaves the rest there, and draws every id it writes from the id source it is given (the run's
// seed), so a run writes the same ids each time.
import { encodeRequest } from '../protocol/frame.ts';
import type { IdSource } from '../protocol/ids.ts';
import { NexusConnection, type OpenOptions } from './connection.ts';
import { ClosedError, TimeoutError, type CloseInfo } from './errors.ts';
import type { Received } from './inbox.ts';

export class RawClient {
  /** Ids of the requests this client wrote (an answer under another id is not one of ours). */
  private readonly sentIds = new Set<string>();

  constructor(
    readonly conn: NexusConnection,
    private readonly ids: IdSource,
  ) {}

  /** Opens a connection (NexusConnection.open) and a raw client over it. */
  static async open(opts: OpenOptions, ids: IdSource): Promise<RawClient> {
    return new RawClient(await NexusConnection.open(opts), ids);
  }

  /**
   * Sends `body` as a `type` frame. `"type": type` is put first in the payload (WIRE-JSON-2); a
   * `type` member in `body` overrides its value (for mismatch probes). Returns the id used.
   */
  send(type: string, body: Record<string, unknown>, id: string = this.ids()): string {
    this.sentIds.add(id);
    this.conn.sendRaw(encodeRequest(type, id, body));
    return id;
  }

  /** Whether this client wrote a request with `id`. */
  hasSent(id: string): boolean {
    return this.sentIds.has(id);
  }

  /**
   * Resolves with the first frame `pred` accepts that nobody took yet (already in the inbox or yet
   * to come) and takes it. Rejects with TimeoutError after `timeoutMs`, or ClosedError when the
   * connection ends with no match; a throwing `pred` rejects this take only.
   */
  take(pred: (r: Received) => boolean, timeoutMs: number): Promise<Received> {
    const { inbox } = this.conn;
    try {
      const r = inbox.takeFirst(pred);
      if (r) return Promise.resolve(r);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    if (inbox.closeInfo !== null) return Promise.reject(new ClosedError(inbox.closeInfo));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        unwatch();
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`no matching frame within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
      const unwatch = inbox.watch((a) => {
        if (a.kind === 'close') {
          done();
          reject(new ClosedError(a.info));
          return;
        }
        let hit: boolean;
        try {
          hit = pred(a.frame);
        } catch (e) {
          done();
          reject(asError(e));
          return;
        }
        // An earlier take may have claimed the same frame on this arrival.
        if (hit && inbox.remove(a.frame)) {
          done();
          resolve(a.frame);
        }
      });
    });
  }

  /** Sends a request and takes the frame echoing its id (WIRE-ID-2). */
  request(type: string, body: Record<string, unknown>, timeoutMs: number, id?: string): Promise<Received> {
    const msgId = this.send(type, body, id);
    return this.take((r) => r.raw.id === msgId, timeoutMs);
  }

  // --- the connection, as the client's users see it ---------------------------------------------------

  /** Frames not taken yet, in arrival order. */
  unconsumed(): Received[] {
    return [...this.conn.inbox.frames()];
  }

  /** How many frames have arrived so far (taken or not). */
  get receivedCount(): number {
    return this.conn.inbox.count;
  }

  get closed(): Promise<CloseInfo> {
    return this.conn.closed;
  }

  get isClosed(): boolean {
    return this.conn.isClosed;
  }

  get closeInfo(): CloseInfo | null {
    return this.conn.closeInfo;
  }

  sendRaw(bytes: Uint8Array): boolean {
    return this.conn.sendRaw(bytes);
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  destroy(): void {
    this.conn.destroy();
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
