// `nexus-conform serve`: the reference server until SIGINT/SIGTERM; with `--fault NAME` a
// deliberately broken one (the fault catalogue, src/server/faults/), `--list-faults` lists them.
import type { Profile } from '../protocol/types.ts';
import type { CliIO } from './common.ts';
import { errorText, EXIT, formatAddress, makeLogger, trapSignals, UsageError } from './common.ts';

const loadServer = () => import('../server/server.ts');
// Loaded only when serving or listing faults, so other commands start without the catalogue.
const loadFaults = () => import('../server/faults/index.ts');
type ServerHandle = Awaited<ReturnType<Awaited<ReturnType<typeof loadServer>>['startServer']>>;

export interface ServeFlags {
  host: string;
  port: number;
  tls?: boolean;
  profile: Profile;
  /** Catalogue faults to serve with (repeatable). */
  fault?: string[];
  listFaults?: boolean;
}

/** `--fault`, repeatable. */
export function collectFault(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--list-faults`: one block per fault — name, rule ids, profiles where it is wrong, description. */
export async function formatFaultList(): Promise<string> {
  const { FAULTS } = await loadFaults();
  const lines = FAULTS.map(
    (f) => `${f.name}\n    rules:    ${f.rules.join(', ')}\n    profiles: ${f.profiles.join(', ')}\n    ${f.description}`,
  );
  return `${lines.join('\n')}\n\n${FAULTS.length} faults; serve one with: nexus-conform serve --fault NAME\n`;
}

export async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  if (flags.listFaults) {
    io.stdout.write(await formatFaultList());
    return EXIT.ok;
  }
  const { faultHooks, findFault } = await loadFaults();
  const names = flags.fault ?? [];
  const unknown = names.find((n) => !findFault(n));
  if (unknown !== undefined) throw new UsageError(`unknown fault "${unknown}" (nexus-conform serve --list-faults lists them)`);
  const logger = makeLogger(io, 'silent');
  const { startServer } = await loadServer();
  let server: ServerHandle;
  try {
    server = await startServer({
      host: flags.host,
      port: flags.port,
      tls: flags.tls === true,
      profile: flags.profile,
      logger,
      ...(names.length > 0 ? { faults: faultHooks(names) } : {}),
    });
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
    for (const n of names) {
      const f = findFault(n)!;
      const note = f.profiles.includes(flags.profile)
        ? ''
        : ` (not a deviation in profile ${flags.profile}: wrong only in ${f.profiles.join(', ')})`;
      io.stdout.write(`fault ${f.name}: ${f.description} [${f.rules.join(', ')}]${note}\n`);
    }
    const why = await signalled;
    io.stdout.write(`stopping (${why})\n`);
    return EXIT.ok;
  } finally {
    untrap();
    await server.close();
  }
}
