// Real targets are not empty. Before a run the harness logs in as the admin (creating it on a fresh
// server, SES-AUTH-2), reads the accounts, online sessions, server info and guest state, and seeds
// the model with them; after the run (also after a failed check or an interrupt) it deletes what it
// created and restores what it changed, then reads the target again to prove it. One import path
// for the three parts: control.ts (the control connection and its raw client), snapshot.ts, restore.ts.
export * from './control.ts';
export * from './snapshot.ts';
export * from './restore.ts';
