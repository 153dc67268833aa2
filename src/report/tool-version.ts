// The tool's own version, read from the package.json of nexus-conform. The sources sit two levels
// below it (src/report/), the compiled package three (dist/src/report/), so look upwards for it.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nexus-conform' && pkg.version !== undefined) {
        cached = pkg.version;
        break;
      }
    } catch {
      // not there: try the next level
    }
  }
  return cached;
}
