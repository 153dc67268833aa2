// The accounts a bench server is seeded with (server-child.ts) and the clients log in as.
export const BENCH_PASSWORD = 'bench-password';
export const benchUser = (i: number): string => `bench-${String(i).padStart(5, '0')}`;
