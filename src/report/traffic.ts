// The traffic of a run as it happens: `--trace FILE` writes every frame of every connection as pino
// NDJSON (time, connection, actor, direction, type, id, payload), with password members redacted
// by pino's redaction (on top of the masking of the rendered frames); `--verbose` streams a
// readable line per event to stderr.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino } from 'pino';
import type { TrafficEvent } from '../runner/lockstep.ts';

/** Password members wherever they sit in a payload, for pino's redaction. */
export const REDACTED_PATHS = ['password', 'current_password', 'requested_password'].flatMap((k) => [`payload.${k}`, `payload.*.${k}`]);

const FRAME = /^NX\|\d+\|[^|]*\|[^|]*\|\d+\|(.*)$/s;

/** The payload of a rendered frame as JSON when it parses, else the rendered text itself. */
export function payloadOf(text: string): unknown {
  const m = FRAME.exec(text);
  if (!m) return text === '' ? undefined : text;
  try {
    return JSON.parse(m[1]!) as unknown;
  } catch {
    return m[1];
  }
}

export interface TraceWriter {
  onTraffic(e: TrafficEvent): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export function openTrace(file: string): TraceWriter {
  mkdirSync(dirname(file), { recursive: true });
  const dest = pino.destination({ dest: file, sync: false, mkdir: true });
  const log = pino({ base: undefined, timestamp: false, messageKey: 'msg', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, dest);
  return {
    onTraffic(e) {
      const payload = payloadOf(e.text);
      log.info({
        time: new Date(e.at).toISOString(),
        connection: e.conn,
        actor: e.actor,
        direction: e.dir,
        ...(e.type !== undefined ? { type: e.type } : {}),
        ...(e.id !== undefined ? { id: e.id } : {}),
        ...(payload !== undefined ? { payload } : {}),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        dest.flushSync();
        dest.end();
        dest.once('close', () => resolve());
      }),
  };
}

const ARROW = { opened: '+', sent: '→', received: '←', closed: '×' } as const;

/** `--verbose`: one readable line per event, e.g. `21:03:15.421 viewer h3 → NX|8|UserList|…`. */
export function verboseLine(e: TrafficEvent): string {
  const time = new Date(e.at).toISOString().slice(11, 23);
  const what = e.dir === 'opened' ? 'connected' : e.dir === 'closed' ? 'closed' : e.text;
  return `${time} ${e.actor} ${e.conn} ${ARROW[e.dir]} ${what}\n`;
}
