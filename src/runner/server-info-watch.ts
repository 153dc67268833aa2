// The target's server info as last seen on one connection, folded as frames arrive: the
// server_info of its successful LoginResponse, then each ServerInfoUpdated broadcast (BC-6: every
// live session hears it) laid over it. The re-entry guard (restore.ts restoreConnectionLimit)
// reads it to learn the per-IP limit the target last announced; connections keep no history of
// their frames, so the value is folded here, from a watcher attached before the Login is written.
import { PROTOCOL_VERSION } from '../model/index.ts';
import type { ServerInfo } from '../model/index.ts';
import type { NexusConnection } from '../net/connection.ts';

/** A server_info object as the model holds it: missing or mistyped fields take the spec's defaults. */
export function toServerInfo(v: unknown, fallbackVersion: string): ServerInfo {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const str = (x: unknown, d: string): string => (typeof x === 'string' ? x : d);
  const num = (x: unknown, d: number): number => (typeof x === 'number' ? x : d);
  return {
    name: str(o.name, 'Nexus BBS'),
    description: str(o.description, ''),
    version: str(o.version, fallbackVersion),
    transfer_port: num(o.transfer_port, 7501),
    max_connections_per_ip: num(o.max_connections_per_ip, 5),
    max_transfers_per_ip: num(o.max_transfers_per_ip, 3),
    image: str(o.image, ''), // SES-SI-7: null and absent mean no image
  };
}

export class ServerInfoWatch {
  private info: ServerInfo | null = null;

  private constructor() {}

  /**
   * Folds every frame that arrives on `conn` from now on, whoever takes it (a raw client or the
   * lockstep). Start it before the Login request is written, or the login's server info is missed.
   */
  static start(conn: NexusConnection): ServerInfoWatch {
    const w = new ServerInfoWatch();
    const stop = conn.inbox.watch((a) => {
      if (a.kind === 'close') stop();
      else if (a.frame.message) w.fold(a.frame.message.type, a.frame.message.body);
    });
    return w;
  }

  /** The server info last seen; null until a successful LoginResponse has arrived. */
  get latest(): ServerInfo | null {
    return this.info === null ? null : { ...this.info };
  }

  private fold(type: string, body: Record<string, unknown>): void {
    if (type === 'LoginResponse' && body.success === true) {
      this.info = toServerInfo(body.server_info, PROTOCOL_VERSION);
      return;
    }
    const info = this.info;
    if (type !== 'ServerInfoUpdated' || info === null || typeof body.server_info !== 'object' || body.server_info === null) return;
    const seen = body.server_info as Record<string, unknown>;
    const next = toServerInfo(seen, info.version);
    // Only what the broadcast carries: a partial one (UND) must not reset the rest to defaults.
    for (const k of Object.keys(info) as Array<keyof ServerInfo>) {
      if (k in seen) (info as unknown as Record<string, unknown>)[k] = next[k];
    }
  }
}
