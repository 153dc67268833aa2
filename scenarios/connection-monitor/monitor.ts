// rules.md §4.12 ConnectionMonitor; seed connection-monitor.md.
import { admin, check, section, sessionOf, shared, user, ofLength, where } from '../../src/runner/api.ts';
import { entriesFor, kick, requestAfterRemoval, CASE_INSENSITIVE_ORDER, A_NON_EMPTY_STRING } from '../_lib.ts';

const NOT_DOTTED_IPV4 = where('not plain dotted IPv4', (v) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(String(v)));
const AN_INTEGER = where('an integer', (v) => Number.isInteger(v));

type Entry = Record<string, unknown> & { nickname: string; username: string };
const connectionsOf = (body: Record<string, unknown>): Entry[] => (Array.isArray(body.connections) ? (body.connections as Entry[]) : []);
const monitor = () => user({ permissions: ['connection_monitor'] });

export default section({ id: 'connection-monitor/monitor', title: 'ConnectionMonitor', seed: 'connection-monitor.md' }, [
  check({
    id: 'permission-denied',
    title: 'ConnectionMonitor without connection_monitor is refused with E-PERMISSION-DENIED (typed response); the connection stays open',
    rules: ['CM-2'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'connection-monitor.md §Error Handling',
    actors: { u: user({ permissions: ['user_list', 'user_info', 'user_kick'] }) },
    run: async ({ u }, t) => {
      const r = await u.request('ConnectionMonitor', {}).expectError('E-PERMISSION-DENIED');
      t.expectBody(r, { type: 'ConnectionMonitorResponse' }, 'CM-2', 'carried by ConnectionMonitorResponse in both profiles');
      await u.expectConnected();
    },
  }),
  check({
    id: 'success',
    title:
      'A connection_monitor holder sees every live session, its own included, with nickname, username, ip, login_time, is_admin, is_shared',
    rules: ['CM-2', 'CM-3', 'CM-5', 'CM-6'],
    seed: 'connection-monitor.md §ConnectionMonitorResponse',
    actors: { m: monitor(), other: user(), boss: admin() },
    run: async ({ m, other, boss }, t) => {
      const list = connectionsOf((await m.request('ConnectionMonitor', {}).expectSuccess()).body);
      for (const a of [m, other, boss]) {
        const e = entriesFor(list, a.nickname);
        t.expectEqual(e, [{ username: a.username }], 'CM-3', `the entries of ${a.name}`);
        t.expectBody(e[0], { ip: A_NON_EMPTY_STRING }, 'CM-5', `${a.name}: its address`);
        // CM-5 `spec`: an IPv4 peer appears in the IPv4-mapped form, never as plain dotted IPv4.
        if (t.profile === 'spec') t.expectBody(e[0], { ip: NOT_DOTTED_IPV4 }, 'CM-5', `${a.name}: an IPv4 peer as ::ffff:a.b.c.d`);
        t.expectBody(e[0], { login_time: AN_INTEGER }, 'CM-3', `${a.name}: login_time`);
        t.expectBody(e[0], { is_shared: false }, 'CM-3', `${a.name}: is_shared false`);
      }
      t.expectBody(entriesFor(list, boss.nickname)[0], { is_admin: true }, 'CM-3', 'the admin is marked is_admin');
    },
  }),
  check({
    id: 'admin-implicit',
    title: 'An admin without stored permissions may use the connection monitor',
    rules: ['CM-2', 'GEN-5'],
    seed: 'connection-monitor.md §Notes',
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('ConnectionMonitor', {}).expectSuccess();
    },
  }),
  check({
    id: 'not-aggregated',
    title: 'Entries are per session: a regular account with two sessions appears twice, each shared session once',
    rules: ['CM-3'],
    seed: 'connection-monitor.md §Shared Accounts',
    actors: { m: monitor(), a: user(), a2: sessionOf('a'), s1: shared(), s2: sessionOf('s1') },
    run: async ({ m, a, s1, s2 }, t) => {
      const list = connectionsOf((await m.request('ConnectionMonitor', {}).expectSuccess()).body);
      t.expectEqual(entriesFor(list, a.nickname), ofLength(2), 'CM-3', 'the entries of the two sessions');
      for (const s of [s1, s2]) {
        const e = entriesFor(list, s.nickname);
        t.expectEqual(e, [{ username: s1.username, is_shared: true }], 'CM-3', `the entries of ${s.name}: one shared entry`);
      }
    },
  }),
  check({
    id: 'sorted',
    title: 'Connections are sorted by nickname, case-insensitively',
    rules: ['CM-4', 'GEN-7'],
    seed: 'connection-monitor.md §Sorting',
    actors: {
      m: user({ permissions: ['connection_monitor'], name: 'mango' }),
      b: user({ name: 'Banana' }),
      a: user({ name: 'apple' }),
      s: shared({ nickname: 'Cherry' }),
    },
    run: async ({ m }, t) => {
      const names = connectionsOf((await m.request('ConnectionMonitor', {}).expectSuccess()).body).map((e) => e.nickname);
      t.expectEqual(names, CASE_INSENSITIVE_ORDER, 'CM-4', 'the nicknames in list order');
    },
  }),
  check({
    id: 'removed-session',
    title: 'ConnectionMonitor on a connection whose session was kicked gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['CM-1', 'GEN-2', 'SES-KICK-1', 'SES-KICK-3', 'UND-6', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-KICKED-BY'],
    seed: 'connection-monitor.md §Error Handling',
    actors: { victim: monitor(), boss: admin() },
    run: async ({ victim, boss }) => {
      await kick(boss, victim);
      await requestAfterRemoval(victim, 'ConnectionMonitor', {});
    },
  }),
]);
