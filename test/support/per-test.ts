// Reference servers and temporary folders that last one test: a test file calls perTest() once at
// its top level, and the afterEach it registers closes every server and removes every folder it
// handed out, whether the test passed or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startServer, type ReferenceServer, type ServerOptions } from '../../src/server/server.ts';

export function perTest(dirPrefix: string): { serve(o: ServerOptions): Promise<ReferenceServer>; tempDir(): string } {
  const servers: ReferenceServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async serve(o) {
      const s = await startServer(o);
      servers.push(s);
      return s;
    },
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), dirPrefix));
      dirs.push(d);
      return d;
    },
  };
}
