// What `run`, `fuzz` and `replay` share about the thing they test: the target argument and the
// connection flags checked before any network use, the admin credentials (flag, environment, or
// a fresh random admin for the embedded server), and the embedded reference server itself —
// started when no target is given, restartable on the same address (a fuzz find may crash it).
import type { Logger } from 'pino';
import { parseTarget, type Target } from '../net/address.ts';
import type { Profile } from '../protocol/types.ts';
import type { AdminCredentials, CliIO } from './common.ts';
import { formatAddress, parseAdmin, UsageError, version } from './common.ts';
import { freshAdmin } from '../runner/admin-credentials.ts';
import type { HeaderInfo } from '../report/console.ts';

const loadServer = () => import('../server/server.ts');
const loadCert = () => import('../server/cert.ts');
type ServerHandle = Awaited<ReturnType<Awaited<ReturnType<typeof loadServer>>['startServer']>>;

export interface TargetFlags {
  tls?: boolean;
  plain?: boolean;
  fingerprint?: string;
  admin?: string;
  profile: Profile;
}

/** The target and credentials, validated without touching the network (usage errors: exit 2). */
export interface TargetPlan {
  target: Target | undefined;
  admin: AdminCredentials;
}

export function planTarget(targetArg: string | undefined, flags: TargetFlags, io: CliIO): TargetPlan {
  const target = targetArg === undefined ? undefined : parseTarget(targetArg);
  if (flags.plain && flags.fingerprint !== undefined) throw new UsageError('--fingerprint needs TLS; it cannot be combined with --plain');
  if (target === undefined && flags.fingerprint !== undefined && !flags.tls) {
    throw new UsageError('--fingerprint needs TLS: the embedded server speaks plain TCP unless --tls is given');
  }
  const fromEnv = io.env.NEXUS_CONFORM_ADMIN;
  let admin: AdminCredentials;
  if (flags.admin !== undefined) admin = parseAdmin(flags.admin, '--admin');
  else if (fromEnv !== undefined && fromEnv !== '') admin = parseAdmin(fromEnv, 'NEXUS_CONFORM_ADMIN');
  else if (target !== undefined) {
    throw new UsageError(
      'a real target needs admin credentials: --admin user:password or NEXUS_CONFORM_ADMIN (on a fresh server the first login creates this admin)',
    );
  } else {
    // The embedded server starts empty: the first login creates this admin (SES-AUTH-2).
    admin = freshAdmin();
  }
  return { target, admin };
}

/** A target ready to test: its address and, for the embedded server, the server and its restart. */
export interface OpenTarget {
  host: string;
  port: number;
  transport: 'auto' | 'tls' | 'plain';
  fingerprint?: string;
  embedded: boolean;
  /** Brings the embedded server back, fresh, on the same address (after a crash); absent for real targets. */
  restart?: () => Promise<void>;
  /** Stops the embedded server (no-op for real targets). */
  close(): Promise<void>;
}

/** Starts the embedded reference server when there is no target; otherwise just the address. */
export async function openTarget(plan: TargetPlan, flags: TargetFlags, logger: Logger): Promise<OpenTarget> {
  if (plan.target !== undefined) {
    const transport = flags.tls ? 'tls' : flags.plain ? 'plain' : 'auto';
    return {
      host: plan.target.host,
      port: plan.target.port,
      transport,
      ...(flags.fingerprint !== undefined ? { fingerprint: flags.fingerprint } : {}),
      embedded: false,
      close: async () => {},
    };
  }
  const { startServer } = await loadServer();
  const tls = flags.tls === true;
  // One certificate for the server's whole life, restarts included, so the pin stays valid.
  const certificate = tls ? await (await loadCert()).createSelfSignedCert() : undefined;
  let server: ServerHandle = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls,
    profile: flags.profile,
    logger,
    ...(certificate ? { certificate } : {}),
  });
  const port = server.port;
  const open: OpenTarget = {
    host: server.host,
    port,
    transport: tls ? 'tls' : 'plain',
    embedded: true,
    restart: async () => {
      await server.close();
      server = await startServer({ host: '127.0.0.1', port, tls, profile: flags.profile, logger, ...(certificate ? { certificate } : {}) });
    },
    close: () => server.close(),
  };
  // Pin the embedded server's own certificate unless the user asked to pin something else.
  const fingerprint = flags.fingerprint ?? server.fingerprint;
  if (fingerprint !== undefined) open.fingerprint = fingerprint;
  return open;
}

/** The target as a run session takes it (`SessionOptions.target`). */
export function sessionTarget(opened: OpenTarget): {
  host: string;
  port: number;
  transport: OpenTarget['transport'];
  fingerprint?: string;
  embedded: boolean;
} {
  const { host, port, transport, fingerprint, embedded } = opened;
  return { host, port, transport, ...(fingerprint !== undefined ? { fingerprint } : {}), embedded };
}

/** The console header of a run over `opened` (`run`, `replay`): the target's facts plus the run's. */
export function runHeader(opened: OpenTarget, run: Pick<HeaderInfo, 'profile' | 'match' | 'seed' | 'admin' | 'checks'>): HeaderInfo {
  const { host, port, transport, fingerprint, embedded } = opened;
  return {
    version: version(),
    address: formatAddress(host, port),
    embedded,
    transport,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...run,
  };
}
