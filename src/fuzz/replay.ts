// Replay: regression fixtures (a file or a folder of them) run again as ordinary checks through one
// run session, so the lockstep oracle judges them exactly as when they were found. A fixture
// records its profile and match mode; a replay uses them unless told otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { CheckResult, RunResult } from '../runner/results.ts';
import type { ActorSpec, Section } from '../runner/api.ts';
import { runResultOf } from '../runner/run.ts';
import { RunSession, type SessionOptions } from '../runner/session.ts';
import { FixtureError, parseFixture, type Fixture } from './fixture.ts';
import { toCheck } from './steps.ts';

export interface LoadedFixture {
  /** The path as given or found under the folder. */
  file: string;
  /** A stable id: the path relative to the folder given (or the file name). */
  id: string;
  fixture: Fixture;
}

function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFilesUnder(path));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path);
  }
  return out;
}

/** Reads a fixture file, or every `*.json` under a folder (sorted). Throws FixtureError on the first bad one. */
export function loadFixtures(path: string): LoadedFixture[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new FixtureError(path, 'no such file or folder');
  }
  const files = isDir ? jsonFilesUnder(path) : [path];
  if (files.length === 0) throw new FixtureError(path, 'the folder holds no *.json fixture');
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new FixtureError(file, `cannot read it (${(e as Error).message})`);
    }
    return { file, id: isDir ? relative(path, file) : file.split(/[\\/]/).pop()!, fixture: parseFixture(text, file) };
  });
}

/** The one profile (and match mode) a replay runs under: the option, else what every fixture records. */
export function replaySettings(
  fixtures: readonly LoadedFixture[],
  profile?: Profile,
  match?: MatchMode,
): { profile: Profile; match: MatchMode } {
  const pick = <K extends 'profile' | 'match'>(key: K, given: Fixture[K] | undefined, flag: string): Fixture[K] => {
    if (given !== undefined) return given;
    const seen = [...new Set(fixtures.map((f) => f.fixture[key]))];
    if (seen.length > 1)
      throw new FixtureError(fixtures[0]!.file, `the fixtures record different ${key}s (${seen.join(', ')}); choose one with ${flag}`);
    return seen[0]!;
  };
  return { profile: pick('profile', profile, '--profile'), match: pick('match', match, '--match') };
}

/** Connections a fixture holds at most: its actors, its `connect` steps, the control connection, a spare. */
export function connectionsOf(f: Fixture): number {
  return Object.keys(f.actors).length + f.steps.filter((s) => s.op === 'connect').length + 2;
}

export interface ReplayOptions extends Omit<SessionOptions, 'connectionsNeeded' | 'slow'> {
  fixtures: LoadedFixture[];
  onResult?: (r: CheckResult) => void;
}

const SECTION: Section = { id: 'replay', title: 'regression fixtures', checks: [] };

/** Runs every fixture as a check, in order, through one run session. Throws TargetUnavailableError when it cannot start. */
export async function replayFixtures(opts: ReplayOptions): Promise<RunResult> {
  const startedAt = new Date();
  const { fixtures, onResult, ...sessionOpts } = opts;
  const session = await RunSession.open({
    ...sessionOpts,
    connectionsNeeded: Math.max(0, ...fixtures.map((f) => connectionsOf(f.fixture))),
  });
  const results: CheckResult[] = [];
  let restored: RunResult['restored'];
  try {
    for (const { id, fixture } of fixtures) {
      const r = await session.runCheck(
        SECTION,
        toCheck({
          id,
          title: fixture.title,
          rules: fixture.rules,
          actors: fixture.actors as Record<string, ActorSpec>,
          steps: fixture.steps,
        }),
      );
      results.push(r);
      onResult?.(r);
    }
  } finally {
    restored = await session.finish();
  }
  return runResultOf(session, opts, startedAt, results, restored);
}
