// What a test opens that must not outlive it: a test file calls perTest() once at its top level, and
// the afterEach it registers ends everything it handed out or was handed, whether the test passed
// or not — connections first (destroyed), then servers (closed), then temporary folders (removed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startServer, type ReferenceServer, type ServerOptions } from '../../src/server/server.ts';

/** A connection (destroyed at once) or a server (closed, awaited). */
type Owned = { destroy(): void } | { close(): Promise<unknown> };

export interface PerTest {
  /** A reference server that lasts this test. */
  serve(o: ServerOptions): Promise<ReferenceServer>;
  /** Something the test opened itself (a client, a hostile server): ended after this test. */
  own<T extends Owned>(x: T): T;
  /** A temporary folder that lasts this test. */
  tempDir(): string;
}

export function perTest(dirPrefix = 'nc-test-'): PerTest {
  const owned: Owned[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    const all = owned.splice(0);
    for (const o of all) if ('destroy' in o) o.destroy();
    await Promise.all(all.map((o) => ('destroy' in o ? undefined : o.close())));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const own = <T extends Owned>(x: T): T => {
    owned.push(x);
    return x;
  };
  return {
    serve: async (o) => own(await startServer(o)),
    own,
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), dirPrefix));
      dirs.push(d);
      return d;
    },
  };
}
