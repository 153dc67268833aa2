// `nexus-conform serve`: the reference server until SIGINT/SIGTERM.
import type { Profile } from '../protocol/types.ts';
import type { CliIO } from './common.ts';
import { errorText, EXIT, formatAddress, makeLogger, trapSignals, UsageError } from './common.ts';

const loadServer = () => import('../server/server.ts');
type ServerHandle = Awaited<ReturnType<Awaited<ReturnType<typeof loadServer>>['startServer']>>;

export interface ServeFlags {
  host: string;
  port: number;
  tls?: boolean;
  profile: Profile;
}

export async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  const logger = makeLogger(io, 'silent');
  const { startServer } = await loadServer();
  let server: ServerHandle;
  try {
    server = await startServer({ host: flags.host, port: flags.port, tls: flags.tls === true, profile: flags.profile, logger });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : errorText(err);
    throw new UsageError(`cannot listen on ${formatAddress(flags.host, flags.port)}: ${why}`);
  }
  let release: (signal: string) => void = () => {};
  const signalled = new Promise<string>((resolve) => (release = resolve));
  const untrap = trapSignals(io, (signal) => release(signal));
  try {
    io.stdout.write(
      `nexus-conform reference server listening on ${formatAddress(server.host, server.port)} ` +
        `(${flags.tls ? 'TLS' : 'plain TCP'}, profile ${flags.profile})\n`,
    );
    if (server.fingerprint !== undefined) io.stdout.write(`fingerprint ${server.fingerprint}\n`);
    const why = await signalled;
    io.stdout.write(`stopping (${why})\n`);
    return EXIT.ok;
  } finally {
    untrap();
    await server.close();
  }
}

