// Finds the scenario files: every `*.ts` (`*.js` in the compiled package) under scenarios/ (recursively, in sorted order), each
// default-exporting a Section (DESIGN.md). Files and folders whose name starts with `_` are shared
// helpers, not sections. Check ids must be unique across the suite, since reports, `--grep` and
// coverage refer to them.
import { readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Section } from './api.ts';

export const DEFAULT_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios', import.meta.url));

/**
 * The scenarios are written in the language this module runs as: `.ts` from the sources (tsx,
 * vitest), `.js` in the compiled package (dist/scenarios next to dist/src), whose `.d.ts` are skipped.
 */
const SCENARIO_EXT = import.meta.url.endsWith('.js') ? '.js' : '.ts';

async function listTs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listTs(path)));
    else if (e.isFile() && e.name.endsWith(SCENARIO_EXT) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isSection(v: unknown): v is Section {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<Section>;
  return typeof s.id === 'string' && typeof s.title === 'string' && Array.isArray(s.checks);
}

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]dist[\\/]?$/, '');

/** Where each check is written: the line of its literal `id: '…'` (generated checks have none). */
function sourceOf(file: string, s: Section): NonNullable<Section['source']> {
  const lines: Record<string, number> = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // unreadable: no lines
  }
  const all = text.split('\n');
  for (const c of s.checks) {
    const at = all.findIndex((l) => l.includes(`id: '${c.id}'`) || l.includes(`id: "${c.id}"`));
    if (at >= 0) lines[c.id] = at + 1;
  }
  return { file: relative(PACKAGE_ROOT, file).split('\\').join('/'), lines };
}

export async function loadSections(dir: string = DEFAULT_SCENARIO_DIR): Promise<Section[]> {
  const files = (await listTs(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sections: Section[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!isSection(mod.default)) {
      throw new Error(`${relative(dir, file)}: the default export is not a Section (use section(...) from src/runner/api.ts)`);
    }
    sections.push({ ...mod.default, source: sourceOf(file, mod.default) });
  }
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [i, s] of sections.entries()) {
    for (const c of s.checks) {
      const id = `${s.id}/${c.id}`;
      const where = relative(dir, files[i]!);
      const first = seen.get(id);
      if (first !== undefined) duplicates.push(`${id} (${first} and ${where})`);
      else seen.set(id, where);
    }
  }
  if (duplicates.length > 0) throw new Error(`duplicate check ids: ${duplicates.join(', ')}`);
  return sections;
}
