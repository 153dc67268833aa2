// What every command pays for before it runs: the modules src/cli.ts loads statically (value imports
// and re-exports; `import type` is erased). The engine, the fuzzers and the fault catalogue are
// loaded by the commands that need them, so `--help`, `--list` and `serve` start without them. A
// value import that pulls one in (schedule.ts once imported a helper from the lockstep's index and
// `--help` went from ~0.23 to ~0.33 s) fails here, not in a benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Relative specifiers of the static value imports and re-exports of a module. */
function valueImportsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gms)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

/** Every module under src/ that loading `entry` loads, relative to src/. */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [resolve(SRC, entry)];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const spec of valueImportsOf(readFileSync(file, 'utf8'))) todo.push(resolve(dirname(file), spec));
  }
  return [...seen].map((f) => relative(SRC, f)).sort();
}

describe('what the CLI loads before any command runs', () => {
  it('leaves out the lockstep engine, the fuzzers and the fault catalogue', () => {
    const loaded = staticClosure('cli.ts');
    expect(loaded).toContain('cli.ts');
    expect(loaded.filter((f) => /^runner\/lockstep\/(?!absent-outputs\.ts$)|^runner\/lockstep\.ts$/.test(f))).toEqual([]);
    expect(loaded.filter((f) => /^fuzz\/(?!types\.ts$)/.test(f))).toEqual([]);
    expect(loaded.filter((f) => f.startsWith('server/faults/'))).toEqual([]);
  });

  it('sees a value import and skips a type import', () => {
    expect(valueImportsOf("import { a, type B } from './x.ts';\nimport type { C } from './y.ts';\nexport { d } from './z.ts';")).toEqual([
      './x.ts',
      './z.ts',
    ]);
  });
});
