// wire.md §9 per-IP connection limit: WIRE-IP-1..5, UND-12. The harness connects through one
// address family only (UND-12), so every connection of the run counts against one address.
import { admin, check, section } from '../../src/runner/api.ts';
import type { Actor, CheckContext } from '../../src/runner/api.ts';

/** Connections of this run the model knows to be open (all from the harness's single address). */
const openConnections = (t: CheckContext): number => Object.keys(t.model().connections).length;

/** Sets max_connections_per_ip; the runner restores the original value after the run. */
async function setLimit(boss: Actor, limit: number): Promise<void> {
  await boss.request('ServerInfoUpdate', { max_connections_per_ip: limit }).expectSuccess();
}

export default section({ id: 'wire/per-ip', title: 'Per-IP connection limit' }, [
  check({
    id: 'limit-enforced',
    title: 'With N connections open and a limit of N + 2, two more connect, the next is dropped, and closing one frees a slot',
    rules: ['WIRE-IP-1', 'WIRE-IP-2', 'WIRE-IP-5', 'WIRE-IP-4', 'UND-12', 'ADM-SINFO-11'],
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const before = t.model().serverInfo.max_connections_per_ip;
      const n = openConnections(t);
      await setLimit(boss, n + 2);
      const first = await t.connect('new');
      const second = await t.connect('shaken');
      // WIRE-IP-2: over the limit the server drops the connection before TLS, without any frame.
      const third = await t.connect('new');
      await third.expectClosed();
      await first.expectConnected();
      await second.expectConnected();
      // A slot is released when a connection ends (WIRE-IP-1).
      await first.close();
      const again = await t.connect('new');
      await again.handshake().expectSuccess();
      await setLimit(boss, before);
    },
  }),
  check({
    id: 'existing-connections-kept',
    title: 'Lowering the limit below the open connections drops none of them; only new connections are refused',
    rules: ['WIRE-IP-3', 'WIRE-IP-1', 'WIRE-IP-2', 'ADM-SINFO-11'],
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const before = t.model().serverInfo.max_connections_per_ip;
      const extra = await t.connect('shaken');
      const n = openConnections(t);
      await setLimit(boss, Math.max(1, n - 1));
      await extra.expectConnected();
      await boss.expectConnected();
      const refused = await t.connect('new');
      await refused.expectClosed();
      await setLimit(boss, before);
    },
  }),
]);
