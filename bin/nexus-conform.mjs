#!/usr/bin/env node
// In a checkout the sources run directly through tsx, so `npm ci` is the only install step; the
// installed package has no sources and runs its compiled JavaScript (dist/), with no TypeScript
// tooling at run time.
import { existsSync } from 'node:fs';
import { tuneV8 } from './jit.mjs';

const sources = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(sources.href);
} else {
  cli = await import('../dist/src/cli.js');
}
tuneV8();
process.exitCode = await cli.main(process.argv.slice(2));
