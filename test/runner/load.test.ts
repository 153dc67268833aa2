// loadSections: every *.ts under the folder, recursively and in order; ids must be unique.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_DIR, loadSections } from '../../src/runner/load.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'nc-load-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const sectionFile = (id: string, checks: string[]) =>
  `export default { id: ${JSON.stringify(id)}, title: ${JSON.stringify(id)}, checks: ${JSON.stringify(
    checks.map((c) => ({ id: c, title: c, rules: ['GEN-1'] })),
  )} };\n`;

describe('loadSections', () => {
  it('imports every scenario file recursively, in sorted path order, skipping _helpers', async () => {
    const root = await tree({
      'wire/b.ts': sectionFile('wire/b', ['one']),
      'admin/kick.ts': sectionFile('admin/kick', ['self', 'admin']),
      'wire/a.ts': sectionFile('wire/a', ['one']),
      'notes.md': '# not a scenario',
      '_lib.ts': 'export const helper = 1;\n',
      '_shared/util.ts': 'export default 42;\n',
    });
    const sections = await loadSections(root);
    expect(sections.map((s) => s.id)).toEqual(['admin/kick', 'wire/a', 'wire/b']);
    expect(sections[0]!.checks.map((c) => c.id)).toEqual(['self', 'admin']);
  });

  it('rejects duplicate check ids, naming both files', async () => {
    const root = await tree({ 'x/one.ts': sectionFile('same', ['c']), 'x/two.ts': sectionFile('same', ['c']) });
    await expect(loadSections(root)).rejects.toThrow('duplicate check ids: same/c (x/one.ts and x/two.ts)');
  });

  it('rejects a file whose default export is not a Section', async () => {
    const root = await tree({ 'bad.ts': 'export default 42;\n' });
    await expect(loadSections(root)).rejects.toThrow(/^bad\.ts: the default export is not a Section/);
  });

  it('defaults to the repository scenarios folder', () => {
    expect(DEFAULT_SCENARIO_DIR.replace(/\\/g, '/')).toMatch(/\/scenarios$/);
  });
});
