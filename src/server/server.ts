// The reference server: a thin I/O shell over the model. It owns sockets, frame decoders and
// timers; every decision (answers, closes, the per-IP limit, timeouts' effect) is `step`'s, and
// the model state is the single source of truth.
import net from 'node:net';
import tls from 'node:tls';
import { pino } from 'pino';
import { createState, step, ViewCache, type Event, type Output, type State } from '../model/index.ts';
import { FrameDecoder } from '../protocol/frame.ts';
import type { FrameErrorInfo } from '../protocol/frame-errors.ts';
import { frameLimitFor } from '../protocol/limits.ts';
import { isClientType, isTransferPortType, type ConnId } from '../protocol/types.ts';
import { certFingerprint, createSelfSignedCert } from './cert.ts';
import { abort, clearTimers, type Conn } from './conn.ts';
import { MessageEncoder } from './encode.ts';
import { applyForms } from './forms.ts';
import { faultyStep, frameReaction } from './fault.ts';
import {
  DEFAULT_FRAME_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_PENDING_WRITE_BYTES,
  type ReferenceServer,
  type ServerOptions,
} from './options.ts';

export type { ReferenceServer, ServerOptions } from './options.ts';
export { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from './options.ts';

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

export async function startServer(opts: ServerOptions = {}): Promise<ReferenceServer> {
  const host = opts.host ?? '127.0.0.1';
  const useTls = opts.tls ?? false;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const frameMs = opts.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
  const lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS;
  const maxPendingWrite = opts.maxPendingWriteBytes ?? DEFAULT_MAX_PENDING_WRITE_BYTES;
  const log = opts.logger ?? pino({ level: 'silent' });
  const now = opts.now ?? unixNow;

  let state: State =
    opts.initialState ??
    createState({ profile: opts.profile ?? 'spec' }, { ...(opts.idSeed !== undefined ? { idSeed: opts.idSeed } : {}), now: now() });
  // Per-type framing limits follow the model's profile (WIRE-FRM-6, WIRE-LIM-4).
  const referenceLimit = frameLimitFor(state.config.profile);
  const limitFor = opts.variant?.limitFor ?? referenceLimit;
  const isKnownType = opts.variant?.isKnownType ?? isClientType;
  // The server never changes a state in place, so derived views (the user list) are memoised.
  const stepOptions = { choices: opts.variant?.choices ?? {}, alternatives: false, views: new ViewCache() };
  const encoder = new MessageEncoder();
  const faults = opts.faults ?? [];
  const runStep = faultyStep((st, ev) => step(st, ev, stepOptions), faults);

  let secureContext: tls.SecureContext | null = null;
  let fingerprint: string | undefined;
  if (useTls) {
    const c = opts.certificate ?? (await createSelfSignedCert());
    secureContext = tls.createSecureContext({ key: c.key, cert: c.cert, minVersion: 'TLSv1.2' });
    fingerprint = certFingerprint(c.cert);
  }

  const seen = new Map<string, number>();
  const note = (what: string): void => {
    seen.set(what, (seen.get(what) ?? 0) + 1);
  };

  const conns = new Map<ConnId, Conn>();
  let connCounter = 0;
  let shuttingDown = false;

  // --- model ------------------------------------------------------------------------------------

  /**
   * Connections written to in the current coalescing scope, corked until it ends: everything one
   * read of a socket causes (several pipelined frames, a response and its broadcasts) leaves in
   * one write per connection instead of one per frame (each write is a syscall).
   */
  let corked: Set<Conn> | null = null;

  function coalesced(f: () => void): void {
    if (corked !== null) return f();
    const scope = new Set<Conn>();
    corked = scope;
    try {
      f();
    } finally {
      corked = null;
      for (const c of scope) c.stream.uncork();
      for (const c of scope) dropIfNotReading(c);
    }
  }

  /**
   * A peer that stops reading must not grow our memory without bound (broadcasts keep coming):
   * once what the kernel has not taken passes the bound, it is dropped like a broken connection,
   * and its session ends with the usual broadcast (SES-BC-3). Judged after the scope's writes
   * left the cork, when only what the peer has not read is still pending.
   */
  function dropIfNotReading(c: Conn): void {
    if (c.gone || c.closing || c.stream.writableLength <= maxPendingWrite) return;
    log.warn({ conn: c.id, pending: c.stream.writableLength }, 'peer is not reading; dropping the connection');
    c.closing = true;
    clearTimers(c);
    abort(c);
  }

  function dispatch(event: Event): void {
    coalesced(() => stepModel(event));
  }

  function stepModel(event: Event): void {
    if (shuttingDown) return;
    let outputs: Output[];
    try {
      const r = runStep(state, event);
      state = r.state;
      outputs = r.outputs;
      for (const part of r.label?.split('; ') ?? []) note(part);
    } catch (e) {
      // A model bug must not take the whole server down: drop only the connection concerned.
      log.error({ err: e, event: event.kind, conn: 'conn' in event ? event.conn : undefined }, 'model step failed');
      if ('conn' in event) {
        const c = conns.get(event.conn);
        if (c) {
          c.closing = true;
          c.raw.destroy();
        }
      }
      return;
    }
    for (const o of applyForms(outputs, event, opts.variant?.forms, note)) apply(o);
  }

  function apply(o: Output): void {
    const c = conns.get(o.conn);
    if (!c || c.gone) return;
    if (o.kind === 'send') {
      if (c.closing || !c.stream.writable) return;
      // Types and ids only: payloads may carry passwords (Login, UserCreate, UserUpdate).
      log.debug({ conn: c.id, type: o.message.type, id: o.message.id }, 'send');
      if (corked !== null && !corked.has(c)) {
        c.stream.cork();
        corked.add(c);
      }
      const frame = encoder.encode(o.message);
      if (Array.isArray(frame)) {
        // One frame in chunks (a cached payload): written together, without copying the payload.
        c.stream.cork();
        for (const chunk of frame) c.stream.write(chunk);
        c.stream.uncork();
      } else c.stream.write(frame);
      return;
    }
    if (c.closing) return;
    c.closing = true;
    clearTimers(c);
    log.info({ conn: c.id, reason: o.reason, rules: o.rules }, 'closing connection');
    if (o.reason === 'ip-limit' || !c.secure) {
      // WIRE-IP-2: over the limit the socket is dropped before any TLS byte.
      c.raw.destroy();
      return;
    }
    // Flush what was written (the Error before the close), then FIN / close_notify.
    c.stream.end();
    c.lingerTimer = setTimeout(() => abort(c), lingerMs);
    c.lingerTimer.unref();
  }

  // --- timers (WIRE-TMO-1/2) --------------------------------------------------------------------

  function preLogin(c: Conn): boolean {
    const phase = state.connections[c.id]?.phase;
    return phase === 'new' || phase === 'shaken';
  }

  function fire(c: Conn, which: 'idle' | 'frame'): void {
    c.idleTimer = null;
    c.frameTimer = null;
    if (c.closing || c.gone) return;
    log.info({ conn: c.id, which }, 'timeout');
    dispatch({ kind: 'timeout', conn: c.id, now: now() });
  }

  function armIdle(c: Conn): void {
    if (c.idleTimer) clearTimeout(c.idleTimer);
    c.idleTimer = null;
    if (!preLogin(c)) return;
    c.idleTimer = setTimeout(() => fire(c, 'idle'), idleMs);
    c.idleTimer.unref();
  }

  /** After input: a started frame runs the completion timer, a frame boundary the idle timer. */
  function rearm(c: Conn, completed: boolean): void {
    if (c.closing || c.gone) return;
    if (c.decoder.midFrame) {
      if (c.idleTimer) clearTimeout(c.idleTimer);
      c.idleTimer = null;
      if (completed && c.frameTimer) {
        clearTimeout(c.frameTimer);
        c.frameTimer = null;
      }
      if (!c.frameTimer) {
        c.frameTimer = setTimeout(() => fire(c, 'frame'), frameMs);
        c.frameTimer.unref();
      }
    } else if (completed) {
      if (c.frameTimer) clearTimeout(c.frameTimer);
      c.frameTimer = null;
      armIdle(c);
    }
  }

  // --- sockets ----------------------------------------------------------------------------------

  function onData(c: Conn, chunk: Buffer): void {
    coalesced(() => readChunk(c, chunk));
  }

  function readChunk(c: Conn, chunk: Buffer): void {
    if (c.closing || c.gone || c.hung) return;
    const { frames, error } = c.decoder.push(chunk);
    for (const frame of frames) {
      log.debug({ conn: c.id, type: frame.type, id: frame.id }, 'frame');
      const reaction = faults.length > 0 ? frameReaction(faults, frame, c.id, state) : undefined;
      if (reaction === 'crash') {
        log.warn({ conn: c.id, type: frame.type }, 'fault: the server crashes');
        void crash();
        return;
      }
      if (reaction === 'hang') {
        log.warn({ conn: c.id, type: frame.type }, 'fault: the connection hangs');
        c.hung = true;
        clearTimers(c);
        return;
      }
      if (opts.variant) {
        // Decoder variants taken (UND-11, WIRE-BAD-15), for `seen()`.
        const limit = referenceLimit(frame.type);
        if (limit > 0 && frame.payload.length > limit) note('UND-11: frame over the limit processed');
        if (isTransferPortType(frame.type)) note('WIRE-BAD-15: transfer-port type read and refused');
      }
      dispatch({ kind: 'frame', conn: c.id, frame, now: now() });
      // WIRE-SEQ-8: nothing after a closing answer is processed.
      if (c.closing || c.gone) return;
    }
    if (error) {
      malformed(c, error.info);
      return;
    }
    rearm(c, frames.length > 0);
  }

  function malformed(c: Conn, info: FrameErrorInfo): void {
    clearTimers(c);
    log.info({ conn: c.id, class: info.class, rule: info.rule }, 'malformed input');
    dispatch({ kind: 'malformed', conn: c.id, error: info, now: now() });
    if (!c.closing && !c.gone) {
      // A failed decoder cannot resynchronise: the connection ends whatever the model said.
      log.warn({ conn: c.id }, 'model kept a connection with a failed decoder open; closing it');
      c.closing = true;
      c.stream.end();
    }
  }

  function onEnd(c: Conn): void {
    if (c.closing || c.gone) return;
    clearTimers(c);
    const error = c.decoder.end();
    if (error) {
      // WIRE-BAD-13: EOF mid-frame; the model may still attempt an Error before the close.
      malformed(c, error.info);
      return;
    }
    // WIRE-BAD-14: clean EOF → close silently (the model runs the logout broadcast).
    c.closeDispatched = true;
    dispatch({ kind: 'close', conn: c.id, now: now() });
    if (!c.closing && !c.gone) {
      c.closing = true;
      c.stream.end();
    }
  }

  function onGone(c: Conn): void {
    if (c.gone) return;
    c.gone = true;
    clearTimers(c);
    if (c.lingerTimer) clearTimeout(c.lingerTimer);
    conns.delete(c.id);
    c.raw.destroy();
    if (!c.closeDispatched && state.connections[c.id]) {
      c.closeDispatched = true;
      log.info({ conn: c.id }, 'connection gone');
      dispatch({ kind: 'close', conn: c.id, now: now() });
    }
  }

  function accept(raw: net.Socket): void {
    const id: ConnId = `c${++connCounter}`;
    const c: Conn = {
      id,
      raw,
      stream: raw,
      decoder: new FrameDecoder({ isKnownType, limitFor }),
      secure: !useTls,
      closing: false,
      gone: false,
      closeDispatched: false,
      idleTimer: null,
      frameTimer: null,
      lingerTimer: null,
      hung: false,
    };
    raw.on('error', (e: Error) => log.debug({ conn: id, err: e.message }, 'socket error'));
    raw.on('close', () => onGone(c));
    const ip = raw.remoteAddress;
    const port = raw.remotePort;
    if (shuttingDown || ip === undefined || port === undefined) {
      raw.destroy(); // already gone (or we are stopping): nothing to tell the model
      return;
    }
    conns.set(id, c);
    log.info({ conn: id, ip, port }, 'accepted');
    dispatch({ kind: 'connect', conn: id, ip, port, now: now() });
    if (c.closing || c.gone) return; // refused by the model (WIRE-IP-2): no TLS byte was sent

    if (secureContext) {
      const t = new tls.TLSSocket(raw, { isServer: true, secureContext, requestCert: false, rejectUnauthorized: false });
      c.stream = t;
      t.on('error', (e: Error) => {
        // WIRE-TLS-5: a failed handshake (or a later TLS fault) just drops the socket.
        log.debug({ conn: id, err: e.message }, 'tls error');
        t.destroy();
      });
      t.on('close', () => onGone(c));
      t.on('secure', () => {
        c.secure = true;
        // WIRE-TMO-1: the idle clock starts again at TLS accept.
        if (!c.closing && !c.gone && !c.decoder.midFrame) armIdle(c);
      });
    }
    c.stream.on('data', (chunk: Buffer) => onData(c, chunk));
    c.stream.on('end', () => onEnd(c));
    // Also bounds a TLS handshake that never completes.
    armIdle(c);
  }

  // allowHalfOpen: after the peer's FIN we may still write the Error of WIRE-BAD-13 and the
  // outputs of its close before ending our side.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, accept);
  server.on('error', (e) => log.error({ err: e.message }, 'server error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  log.info({ host, port: address.port, tls: useTls, fingerprint }, 'listening');

  /** Stops listening and drops every connection (also what a crashing fault does). */
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      shuttingDown = true;
      for (const c of conns.values()) {
        clearTimers(c);
        if (c.lingerTimer) clearTimeout(c.lingerTimer);
        c.raw.destroy();
      }
      server.close(() => resolve());
    });
  let stopped: Promise<void> | null = null;
  const crash = (): Promise<void> => (stopped ??= stop());

  const result: ReferenceServer = {
    host,
    port: address.port,
    tls: useTls,
    state: () => state,
    seen: () => Object.fromEntries([...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    close: () => (stopped ??= stop()),
  };
  if (fingerprint !== undefined) result.fingerprint = fingerprint;
  return result;
}
