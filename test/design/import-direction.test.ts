// The layer order of docs/DESIGN.md, enforced: every import under src/ points down the list
// protocol → model → net → server → runner → fuzz → report → library → cli → index (the package's
// entry point, src/index.ts) (a layer may import itself and
// the layers before it). Results flow one way: nothing under src/runner imports src/report.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAYERS = ['protocol', 'model', 'net', 'server', 'runner', 'fuzz', 'report', 'library', 'cli', 'index'] as const;
const SRC = resolve(import.meta.dirname, '../../src');

/** The layer of a path under src/ (`src/cli.ts` belongs to `cli`); undefined outside src/. */
function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return undefined;
  const head = rel.split(/[\\/]/)[0]!;
  return head.replace(/\.ts$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

interface Edge {
  from: string;
  to: string;
}

/** Imports that point up the layer list (or into a folder the list does not know). */
function violations(edges: readonly Edge[]): string[] {
  const rank = (layer: string | undefined): number => (layer === undefined ? -1 : (LAYERS as readonly string[]).indexOf(layer));
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = rank(layerOf(from));
    const b = rank(layerOf(to));
    if (a < 0) out.push(`${relative(SRC, from)}: not in a known layer`);
    else if (layerOf(to) !== undefined && (b < 0 || b > a)) out.push(`${relative(SRC, from)} imports ${relative(SRC, to)}`);
  }
  return out;
}

function edgesOfTree(): Edge[] {
  return sourceFiles(SRC).flatMap((from) =>
    importsOf(readFileSync(from, 'utf8')).map((spec) => ({ from, to: resolve(dirname(from), spec) })),
  );
}

describe('import direction', () => {
  it('finds imports that point up the list', () => {
    const f = (p: string): string => join(SRC, p);
    expect(violations([{ from: f('runner/session.ts'), to: f('report/types.ts') }])).toEqual(['runner/session.ts imports report/types.ts']);
    expect(violations([{ from: f('model/step.ts'), to: f('net/connection.ts') }])).toHaveLength(1);
    expect(violations([{ from: f('gadgets/x.ts'), to: f('protocol/types.ts') }])).toEqual(['gadgets/x.ts: not in a known layer']);
    expect(
      violations([
        { from: f('report/json.ts'), to: f('runner/results.ts') },
        { from: f('cli.ts'), to: f('cli/run.ts') },
      ]),
    ).toEqual([]);
    expect(
      importsOf(
        "import a from './a.ts';\nexport { b } from '../b.ts';\nconst c = await import('./c.ts');\nimport './d.ts';\nimport x from 'zod';",
      ),
    ).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts']);
  });

  it('every import under src/ points down the layer list', () => {
    const edges = edgesOfTree();
    expect(edges.length).toBeGreaterThan(100);
    expect(violations(edges)).toEqual([]);
  });
});
