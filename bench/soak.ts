// Soak: a seeded stream of fuzzed frames against one server process. Workers log in, write a batch
// of frames (plausible requests with random members, and now and then a byte-mutated or malformed
// frame that makes the server close), end each batch with a UserList barrier, and reconnect when
// the server closed. Counts frames written, server crashes (model steps that threw, or the
// process dying) and samples the server's RSS to show memory stays bounded.
import { encodeFrame, encodeMessage } from '../src/protocol/frame.ts';
import { createRng, randomMessageId } from '../src/protocol/ids.ts';
import { CLIENT_TYPES } from '../src/protocol/types.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';
import type { ServerProcess } from './processes.ts';
import { RawClient, type Endpoint } from './raw-client.ts';
import { round } from './stats.ts';

export interface SoakResult {
  frames: number;
  crashes: number;
  connections: number;
  wallMs: number;
  framesPerSecond: number;
  peakRssMb: number;
  /** Server RSS (after GC) at the first and the last sample, MB: bounded memory means no steady growth. */
  rssFirstMb: number;
  rssLastMb: number;
  seed: number;
}

const FIELDS = [
  'all',
  'session_id',
  'username',
  'nickname',
  'message',
  'status',
  'password',
  'permissions',
  'is_admin',
  'enabled',
  'requested_username',
  'name',
  'description',
  'image',
  'max_connections_per_ip',
  'locale',
  'features',
  'version',
  'avatar',
  'type',
];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * 10);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return Math.floor(r() * 2 ** 33) - 2 ** 31;
    case 3:
      return r() * 1e6;
    case 4:
      return depth < 2 ? Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1)) : [];
    case 5:
      return depth < 2 ? randomBody(r, depth + 1) : {};
    case 6:
      return 'x'.repeat(Math.floor(r() * 300));
    case 7:
      return String.fromCodePoint(...Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 0x2fff)));
    default:
      return benchUser(Math.floor(r() * 8));
  }
}

function randomBody(r: () => number, depth = 0): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) body[FIELDS[Math.floor(r() * FIELDS.length)]!] = randomValue(r, depth);
  return body;
}

/** One fuzzed frame: mostly a well-framed request with random members; sometimes broken bytes. */
function fuzzedFrame(r: () => number): Buffer {
  const type = CLIENT_TYPES[2 + Math.floor(r() * (CLIENT_TYPES.length - 2))]!; // not Handshake/Login
  const x = r();
  if (x < 0.9) return encodeMessage({ type, id: randomMessageId(r), body: { type, ...randomBody(r) } });
  const good = encodeFrame(type, randomMessageId(r), JSON.stringify({ type, ...randomBody(r) }));
  if (x < 0.95) {
    // flip a few bytes anywhere
    const b = Buffer.from(good);
    for (let i = 0; i < 1 + Math.floor(r() * 3); i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return b;
  }
  if (x < 0.97) return Buffer.from(`NX|${Math.floor(r() * 20)}|${'Q'.repeat(Math.floor(r() * 20))}|zz|-1|{}\n`, 'latin1');
  if (x < 0.99) return encodeFrame(type, randomMessageId(r), '{"type":' + '['.repeat(Math.floor(r() * 50)));
  return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
}

const BATCH = 64;

async function worker(
  ep: Endpoint,
  w: number,
  seed: number,
  share: number,
  progress: (n: number) => void,
  stats: { connections: number },
): Promise<void> {
  const r = createRng(seed + w * 0x9e3779b1);
  let sent = 0;
  while (sent < share) {
    let c: RawClient;
    try {
      c = await RawClient.connect(ep);
    } catch {
      return; // the server is gone: counted as a crash by the caller
    }
    stats.connections++;
    for (const t of ['UserConnected', 'UserDisconnected', 'UserUpdated', 'PermissionsUpdated', 'ServerInfoUpdated']) c.ignore.add(t);
    try {
      await c.login(benchUser(w), BENCH_PASSWORD);
      while (sent < share && !c.closed) {
        const n = Math.min(BATCH, share - sent);
        const parts: Buffer[] = [];
        for (let i = 0; i < n; i++) parts.push(fuzzedFrame(r));
        c.write(Buffer.concat(parts));
        sent += n;
        progress(n);
        // Barrier: the server has read the whole batch once this answer (or the close) arrives.
        const id = c.send('UserList', { all: false });
        for (;;) {
          const m = await c.next(30_000);
          if (m.id === id && m.type === 'UserListResponse') break;
        }
        c.drain();
      }
    } catch {
      // the server closed the connection: a fuzzed frame asked for it
    }
    c.destroy();
  }
}

export async function soak(server: ServerProcess, ep: Endpoint, frames: number, workers: number, seed: number): Promise<SoakResult> {
  const t0 = Date.now();
  const samples: number[] = [];
  let peakKb = 0;
  let done = 0;
  let nextSample = 0;
  const step = Math.max(1, Math.floor(frames / 10));
  const sample = async (): Promise<void> => {
    const s = await server.stats();
    if (!s) return;
    samples.push(s.rssKb);
    peakKb = Math.max(peakKb, s.peakRssKb);
  };
  await sample();
  const stats = { connections: 0 };
  let sampling: Promise<void> = Promise.resolve();
  const share = Math.ceil(frames / workers);
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      worker(
        ep,
        w,
        seed,
        share,
        (n) => {
          done += n;
          if (done >= nextSample) {
            nextSample += step;
            sampling = sampling.then(sample);
          }
        },
        stats,
      ),
    ),
  );
  await sampling;
  await sample();
  const end = await server.stats();
  const wallMs = Date.now() - t0;
  return {
    frames: done,
    crashes: (end?.errors ?? 0) + (server.alive ? 0 : 1),
    connections: stats.connections,
    wallMs,
    framesPerSecond: Math.round(done / (wallMs / 1000)),
    peakRssMb: round(peakKb / 1024),
    rssFirstMb: round((samples[1] ?? samples[0] ?? 0) / 1024),
    rssLastMb: round((samples[samples.length - 1] ?? 0) / 1024),
    seed,
  };
}
