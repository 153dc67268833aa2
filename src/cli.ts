// Command-line front end. `nexus-conform [run] [host:port]` runs the suite (against the embedded
// reference server when no target is given); `nexus-conform serve` runs the reference server.
// Exit codes: 0 all checks passed, 1 a check failed, 2 usage or connection error, 130 interrupted.
// Every error reaches the user as one line on stderr; stack traces only with NEXUS_CONFORM_DEBUG=1.
// Each command lives in src/cli/<command>.ts; this file builds the program and maps errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { MATCH_MODES, PROFILES } from './protocol/types.ts';
import type { CliIO } from './cli/common.ts';
import { collectExclude, defaultIO, errorText, EXIT, parseFingerprint, parseGrep, parseIntIn, version } from './cli/common.ts';
import { DEFAULT_FIXTURES_DIR, DEFAULT_TIME_S, fuzzCommand, type FuzzFlags } from './cli/fuzz.ts';
import { FRAMES_MODES } from './fuzz/types.ts';
import { replayCommand, type ReplayFlags } from './cli/replay.ts';
import { MAX_JOBS, runCommand, type RunFlags } from './cli/run.ts';
import { collectFault, serveCommand, type ServeFlags } from './cli/serve.ts';

export { EXIT, parseAdmin, type AdminCredentials, type CliIO } from './cli/common.ts';
export { asExcluded, EXCLUDED_REASON, formatList } from './cli/run.ts';

// --- examples ------------------------------------------------------------------------------------------

/** The examples at the end of each command's --help. */
const EXAMPLES = {
  program: [
    'Examples:',
    '  $ nexus-conform                                   # the suite against the embedded reference server',
    '  $ nexus-conform bbs.example:7500 --admin root:pw  # the suite against your server',
    '  $ nexus-conform serve --port 7500                 # a reference server to develop a client against',
  ].join('\n'),
  run: [
    'Examples:',
    '  $ nexus-conform run                                        # against the embedded reference server',
    '  $ nexus-conform run 127.0.0.1:7500 --admin root:pw         # against your server (auto TLS/plain)',
    '  $ NEXUS_CONFORM_ADMIN=root:pw nexus-conform run [::1]:7500 --tls --fingerprint AA:BB:…',
    '  $ nexus-conform run --list --grep admin/kick               # which checks a selection holds',
    '  $ nexus-conform run host:7500 --admin root:pw --profile nexusd --exclude UND-13',
    '  $ nexus-conform run host:7500 --admin root:pw --junit reports/junit.xml --json reports/report.json',
    '  $ nexus-conform run host:7500 --admin root:pw --html reports/report.html   # open it in a browser',
    '  $ nexus-conform run --grep admin/kick --verbose --trace reports/trace.ndjson  # every frame',
    "  $ nexus-conform run host:7500 --admin root:pw --update-baseline known.json    # record today's failures",
    '  $ nexus-conform run host:7500 --admin root:pw --expect-failures known.json   # gate on new ones only',
    '  $ nexus-conform run --seed 1234 --grep /^wire\\//              # repeat a run, regex selection',
  ].join('\n'),
  fuzz: [
    'Examples:',
    '  $ nexus-conform fuzz all --time 60                         # every fuzzer against the embedded server, 60 s',
    '  $ nexus-conform fuzz frames host:7500 --admin root:pw --runs 500 --seed 7',
    '  $ nexus-conform fuzz stateful host:7500 --admin root:pw --fixtures fixtures/found --junit reports/fuzz.xml',
    '  $ nexus-conform fuzz all host:7500 --admin root:pw --runs 300 --seed 1 --expect-failures known-finds.json   # gate on new finds only',
  ].join('\n'),
  replay: [
    'Examples:',
    '  $ nexus-conform replay fixtures/                            # every fixture against the embedded server',
    '  $ nexus-conform replay fixtures/found/frames-crash-seed7-1.json host:7500 --admin root:pw',
  ].join('\n'),
  serve: [
    'Examples:',
    '  $ nexus-conform serve                               # plain TCP on 0.0.0.0:7500, profile spec',
    '  $ nexus-conform serve --tls --port 0 --host 127.0.0.1  # TLS on a free port; prints the fingerprint',
    '  $ nexus-conform serve --profile nexusd              # behave and word errors like upstream nexusd',
  ].join('\n'),
};

// --- program ---------------------------------------------------------------------------------------

function buildProgram(io: CliIO, setResult: (p: Promise<number>) => void): Command {
  const program = new Command('nexus-conform')
    .description('Conformance suite and reference server for the Nexus BBS protocol')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`nexus-conform: ${s.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError()
    .addHelpText('after', ['', 'Run `nexus-conform <command> --help` for the options of a command.', '', EXAMPLES.program].join('\n'));

  // The CI gate's options (src/cli/gate.ts), `run`'s and `fuzz`'s.
  const gateOptions = (c: Command, what: string, listed: string): Command =>
    c
      .option('--expect-failures <file>', `known ${what} ({"expectedFailures":[{"check","reason"}]}): ${listed}`)
      .option('--update-baseline <file>', `write this run's ${what} as an --expect-failures file (keeps the reasons already given)`);

  const run = program
    .command('run [target]', { isDefault: true })
    .description('run the suite against host:port, or against the embedded reference server when no target is given')
    .addOption(new Option('--tls', 'connect with TLS only').conflicts('plain'))
    .addOption(new Option('--plain', 'connect with plain TCP only').conflicts('tls'))
    .option('--fingerprint <sha256>', 'pin the server certificate (AA:BB:… SHA-256)', parseFingerprint)
    .option('--admin <user:password>', 'admin credentials for a real target (env NEXUS_CONFORM_ADMIN)')
    .addOption(new Option('--profile <profile>', 'behaviour and wording profile').choices(PROFILES).default('spec'))
    .addOption(new Option('--match <mode>', 'how strictly error strings and carriers are compared').choices(MATCH_MODES).default('exact'))
    .option('--grep <pattern>', 'only checks whose id or title contains this text, or matches /regex/flags', parseGrep)
    .option(
      '--exclude <pattern>',
      'skip checks whose id, title or a rule id contains this text, or matches /regex/flags (repeatable)',
      collectExclude,
    )
    .option('--list', 'list the checks (id, title, rule ids, error keys) and exit')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .option('--trace <file>', 'write every frame of every connection as NDJSON (pino; passwords redacted)')
    .option('--verbose', 'stream every frame of every connection to stderr')
    .option('--html <file>', 'write a self-contained HTML report (root causes, sections × checks, coverage, transcripts)')
    .option('--timeout <ms>', 'wait at most this long for an expected frame', parseIntIn(1, 600_000, '--timeout'), 2000)
    .option('--seed <n>', 'seed of everything random in the run (default: random, always printed)', parseIntIn(0, 2 ** 32 - 1, '--seed'))
    .option('--slow', 'include checks that wait for server timeouts')
    .option('--quiet', 'print only failing checks and the summary')
    .option('--no-retry', 'do not re-run a failed check (by default it runs once more on fresh connections; pass-after-fail is FLAKY)')
    .option(
      '--jobs <n>',
      `run independent checks on this many lanes side by side (default 4 against a target, 1 against the embedded server; 1 = one after another; at most ${MAX_JOBS})`,
      parseIntIn(1, MAX_JOBS, '--jobs'),
    );
  gateOptions(run, 'failures', 'listed failures pass the gate, listed checks that pass fail it')
    .addHelpText('after', `\n${EXAMPLES.run}`)
    .action((target: string | undefined, flags: RunFlags) => setResult(runCommand(target, flags, io)));

  // The connection, admin and timeout options every testing command shares (`run`'s).
  const targetOptions = (c: Command, profileDefault: boolean): Command => {
    const profile = new Option('--profile <profile>', 'behaviour and wording profile').choices(PROFILES);
    const match = new Option('--match <mode>', 'how strictly error strings and carriers are compared').choices(MATCH_MODES);
    return c
      .addOption(new Option('--tls', 'connect with TLS only').conflicts('plain'))
      .addOption(new Option('--plain', 'connect with plain TCP only').conflicts('tls'))
      .option('--fingerprint <sha256>', 'pin the server certificate (AA:BB:… SHA-256)', parseFingerprint)
      .option('--admin <user:password>', 'admin credentials for a real target (env NEXUS_CONFORM_ADMIN)')
      .addOption(profileDefault ? profile.default('spec') : profile)
      .addOption(profileDefault ? match.default('exact') : match)
      .option('--timeout <ms>', 'wait at most this long for an expected frame', parseIntIn(1, 600_000, '--timeout'), 2000)
      .option('--seed <n>', 'seed of everything random in the run (default: random, always printed)', parseIntIn(0, 2 ** 32 - 1, '--seed'))
      .option('--junit <file>', 'write a JUnit XML report')
      .option('--json <file>', 'write a JSON report')
      .option('--html <file>', 'write a self-contained HTML report')
      .option('--quiet', 'print only failures and the summary');
  };

  const fuzz = targetOptions(
    program
      .command('fuzz <fuzzer> [target]')
      .description('fuzz host:port, or the embedded reference server, with frames | validators | stateful | all'),
    true,
  )
    .option(
      '--time <seconds>',
      `time budget, shared by the fuzzers of \`all\` (default ${DEFAULT_TIME_S} s unless --runs is given)`,
      parseIntIn(1, 86_400, '--time'),
    )
    .option('--runs <n>', 'cases per fuzzer', parseIntIn(1, 100_000_000, '--runs'))
    .option('--fixtures <dir>', 'where fixtures of found failures are written', DEFAULT_FIXTURES_DIR)
    .addOption(
      new Option('--frames-mode <mode>', 'frame fuzzer: model-check every batch, only what the fast tier suspects, or both')
        .choices(FRAMES_MODES)
        .default('mixed'),
    );
  // A fuzzer that does not find a listed bug again does not prove it fixed: the list is not shrunk by it.
  gateOptions(fuzz, 'finds', 'a listed find (check id fuzz/<fuzzer>/<class>/<rule>) passes the gate')
    .addHelpText('after', `\n${EXAMPLES.fuzz}`)
    .action((fuzzer: string, target: string | undefined, flags: FuzzFlags) => setResult(fuzzCommand(fuzzer, target, flags, io)));

  targetOptions(
    program
      .command('replay <fixture> [target]')
      .description('replay a regression fixture, or every fixture in a folder, against host:port or the embedded reference server'),
    false,
  )
    .addHelpText('after', `\n${EXAMPLES.replay}`)
    .action((fixture: string, target: string | undefined, flags: ReplayFlags) => setResult(replayCommand(fixture, target, flags, io)));

  program
    .command('serve')
    .description('run the reference server until SIGINT/SIGTERM')
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .option('--port <port>', 'port to listen on (0 = any free port)', parseIntIn(0, 65535, '--port'), 7500)
    .option('--tls', 'serve TLS with a fresh self-signed certificate')
    .addOption(new Option('--profile <profile>', 'behaviour and wording profile').choices(PROFILES).default('spec'))
    .option('--fault <name>', 'serve with a deliberate deviation from the fault catalogue (repeatable)', collectFault)
    .option('--list-faults', 'list the fault catalogue (name, rule ids, profiles, description) and exit')
    .addHelpText('after', `\n${EXAMPLES.serve}`)
    .action((flags: ServeFlags) => setResult(serveCommand(flags, io)));

  return program;
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const debug = io.env.NEXUS_CONFORM_DEBUG === '1';
  const fail = (err: unknown): number => {
    io.stderr.write(`nexus-conform: ${errorText(err)}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return EXIT.usage;
  };
  let onCrash: ((err: unknown) => void) | undefined;
  if (io.process) {
    // A failure escaping every await (a bug) still ends as one line and exit 2, not a stack trace.
    onCrash = (err: unknown) => {
      io.stderr.write(`nexus-conform: internal error: ${errorText(err)}\n`);
      if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
      process.exit(EXIT.usage);
    };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    // A reader that stopped reading (`| head`) has what it wanted: what follows goes nowhere, and a
    // run still finishes and restores the target, as it would unwatched.
    const closedReader = (err: NodeJS.ErrnoException): void => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') onCrash?.(err);
    };
    process.stdout.on('error', closedReader);
    process.stderr.on('error', closedReader);
  }

  let code: number;
  try {
    // The action hands back its promise so its exit code (not commander's) decides.
    const action: { result?: Promise<number> } = {};
    const program = buildProgram(io, (p) => (action.result = p));
    await program.parseAsync(argv, { from: 'user' });
    code = action.result === undefined ? EXIT.ok : await action.result;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; every parse error is a usage error.
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      code = fail(err);
    }
  }
  if (io.process) {
    // If some socket or timer leaked, still end within a moment rather than hang a CI job.
    setTimeout(() => process.exit(code), 3000).unref();
  }
  return code;
}
