// The package as users get it: `npm pack`, installed into an empty project from the tarball
// (--prefer-offline: from the npm cache where it can), then run with `npx nexus-conform` — --help, --list, a short run,
// fuzz, replay, serve plus a run against it — and imported as a library from JavaScript and from TypeScript
// (the declarations). No TypeScript tooling may be needed at run time: no sources, no tsx.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, start } from '../cli/spawn.ts';

const exec = promisify(execFile);
const NPX = ['npx', '--no-install', 'nexus-conform'] as const;
let dir: string;
let project: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-conform-pack-'));
  // prepack builds dist/ first, so the tarball always holds the current sources compiled.
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  project = join(dir, 'consumer');
  await exec('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename)], { cwd: project });
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], timeoutMs = 60_000) => runCli(args, { command: NPX, cwd: project, timeoutMs });

describe('the packed package, installed into an empty project', () => {
  it('holds compiled JavaScript and declarations, no sources and no TypeScript tooling', () => {
    const pkg = join(project, 'node_modules', 'nexus-conform');
    expect(existsSync(join(pkg, 'dist', 'src', 'cli.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'src', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'scenarios', 'admin', 'kick.js'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);
    expect(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers --help (with examples), --version and --list', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    for (const command of ['run', 'serve', 'fuzz', 'replay']) {
      const sub = await cli([command, '--help']);
      expect(sub.code, command).toBe(0);
      expect(sub.stdout, command).toMatch(/Examples:\n {2}\$ nexus-conform/);
    }
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const list = await cli(['--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/\n\d{3,} checks in \d+ sections\n$/);
    // The figure for the closing note (not a verdict: timing belongs in benchmarks).
    const bin = join(project, 'node_modules', '.bin', 'nexus-conform');
    const direct = await runCli(['--help'], { command: [bin], cwd: project });
    const directList = await runCli(['--list'], { command: [bin], cwd: project });
    console.log(
      `installed package startup: --help ${direct.ms} ms, --list ${directList.ms} ms (through npx: ${help.ms} ms, ${list.ms} ms)`,
    );
  });

  it('runs a selection against the embedded server and writes its JSON report', async () => {
    const run = await cli(['--grep', 'session/handshake', '--quiet', '--json', 'report.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8'));
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(0);
  });

  it('fuzzes under a budget and replays a fixture', async () => {
    const fuzz = await cli(['fuzz', 'frames', '--runs', '10', '--seed', '3', '--quiet', '--fixtures', 'found']);
    expect(fuzz.code).toBe(0);
    expect(fuzz.stdout).toMatch(/\d+ passed, 0 failed/);
    const fixture = join(ROOT, 'fixtures', 'validators', 'username-limit-in-bytes.json');
    const replay = await cli(['replay', fixture, '--quiet']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/1 passed, 0 failed/);
  });

  it('serves the reference server, and the suite runs against it', async () => {
    // The installed bin itself (what npx runs): npx does not pass SIGTERM on to it.
    const bin = join(project, 'node_modules', '.bin', 'nexus-conform');
    const server = start(['serve', '--host', '127.0.0.1', '--port', '0', '--profile', 'nexusd'], {
      command: [bin],
      cwd: project,
      timeoutMs: 90_000,
    });
    try {
      const [, address] = await server.waitFor(/listening on (\S+)/);
      const run = await cli([address!, '--admin', 'root:pack-test-pw', '--profile', 'nexusd', '--grep', 'users/list', '--quiet']);
      expect(run.stdout).toMatch(/\d+ passed, 0 failed/);
      expect(run.code).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
    }
    const end = await server.done;
    expect(end.code).toBe(0);
    expect(end.stdout).toContain('stopping (SIGTERM)');
  });

  it('is a library: JavaScript imports it, TypeScript type-checks against its declarations', async () => {
    const script = [
      "import { runFuzz, runSuite, startReferenceServer, schemas, toJsonReport } from 'nexus-conform';",
      "const server = await startReferenceServer({ profile: 'spec', tls: true });",
      "const result = await runSuite({ target: server.address, admin: 'root:lib-pw', transport: 'tls', fingerprint: server.fingerprint, grep: 'away/' });",
      "const fuzz = await runFuzz({ target: server.address, admin: 'root:lib-pw', transport: 'tls', fingerprint: server.fingerprint, fuzzers: ['validators'], runs: 5 });",
      "if (fuzz.summary.failed !== 0 || fuzz.fuzz[0].cases === 0) throw new Error('fuzz: ' + JSON.stringify(fuzz.summary));",
      'await server.close();',
      'schemas.jsonReport.parse(toJsonReport(result));',
      'console.log(JSON.stringify(result.summary));',
    ].join('\n');
    writeFileSync(join(project, 'lib.mjs'), script);
    const { stdout } = await exec(process.execPath, ['lib.mjs'], { cwd: project, timeout: 60_000 });
    const summary = JSON.parse(stdout) as { passed: number; failed: number };
    expect(summary.failed).toBe(0);
    expect(summary.passed).toBeGreaterThan(0);

    writeFileSync(
      join(project, 'typed.ts'),
      [
        "import { runSuite, type RunResult, type SuiteOptions } from 'nexus-conform';",
        "const options: SuiteOptions = { grep: 'away/', profile: 'nexusd' };",
        'export const run: Promise<RunResult> = runSuite(options);',
        '// @ts-expect-error: the profile is checked',
        "export const bad: SuiteOptions = { profile: 'nexus' };",
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...{ module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true },
          // A Node project has @types/node; borrow this repository's.
          ...{ typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
        },
        files: ['typed.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await exec(process.execPath, [tsc, '-p', project], { cwd: project, timeout: 60_000 });
  });
});
