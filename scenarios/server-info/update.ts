// seed admin.md §ServerInfoUpdate, §ServerInfoUpdated; rules.md §4.11 (ADM-SINFO-*), BC-6.
// Who may change the server info, that a change reaches everyone, and that a refusal changes nothing.
// Field validators: validation.ts. Every check puts back what it changed.
import { admin, check, connection, guest, section, shared, user, NONE, not, oneOf } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { credentials } from '../_lib.ts';

export default section(
  { id: 'server-info/update', title: 'ServerInfoUpdate: access, broadcast, persistence', seed: 'admin.md §ServerInfoUpdate' },
  [
    check({
      id: 'requires-login',
      title: 'ServerInfoUpdate before Login is refused with "Not logged in" (nexusd keeps the connection open)',
      rules: ['ADM-SINFO-1', 'GEN-1', 'WIRE-SEQ-4'],
      errors: ['E-NOT-LOGGED-IN'],
      seed: 'admin.md §ServerInfoUpdate',
      actors: { fresh: connection('new'), shaken: connection('shaken') },
      run: async ({ fresh, shaken }, t) => {
        await fresh.request('ServerInfoUpdate', { description: 'never' }).expectError('E-NOT-LOGGED-IN');
        await shaken.request('ServerInfoUpdate', { name: 'never' }).expectError('E-NOT-LOGGED-IN');
        // nexusd never closes on ServerInfoUpdate (ADM-SINFO-1); spec may close or not (model).
        if (t.profile === 'nexusd') await shaken.expectConnected();
      },
    }),

    check({
      id: 'requires-admin',
      title: 'Only admins may update the server info; holding every permission is not enough',
      rules: ['ADM-SINFO-3', 'ADMP-5', 'GEN-4', 'GEN-3'],
      errors: ['E-ADMIN-REQUIRED'],
      seed: 'admin.md §Permissions ("Server info updates require admin status")',
      actors: { everything: user({ permissions: [...ALL_PERMISSIONS] }), nobody: user() },
      run: async ({ everything, nobody }) => {
        await everything.request('ServerInfoUpdate', { description: 'not allowed' }).expectError('E-ADMIN-REQUIRED');
        await nobody.request('ServerInfoUpdate', { name: 'not allowed' }).expectError('E-ADMIN-REQUIRED');
        // The admin check precedes the "no fields" check (ADM-SINFO-3 before -4).
        await nobody.request('ServerInfoUpdate', {}).expectError('E-ADMIN-REQUIRED');
        await everything.expectConnected();
        await nobody.expectConnected();
      },
    }),

    check({
      id: 'no-fields',
      title: 'A ServerInfoUpdate with no member, or only null members, fails with "No fields to update"',
      rules: ['ADM-SINFO-4', 'WIRE-JSON-4'],
      errors: ['E-NO-FIELDS-TO-UPDATE'],
      seed: 'admin.md §ServerInfoUpdate ("Only include fields you want to change")',
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', {}).expectError('E-NO-FIELDS-TO-UPDATE');
        await boss.request('ServerInfoUpdate', { name: null, description: null, image: null }).expectError('E-NO-FIELDS-TO-UPDATE');
        await boss.expectConnected();
      },
    }),

    check({
      id: 'broadcast-to-everyone',
      title: 'A successful update sends ServerInfoUpdated to every live session, requester included, whatever its permissions',
      rules: ['ADM-SINFO-10', 'BC-6', 'ADM-SINFO-9', 'WIRE-ORD-2'],
      seed: 'admin.md §ServerInfoUpdated ("Broadcast to all users")',
      actors: {
        boss: admin(),
        nobody: user(),
        visitor: shared(),
        stranger: guest(),
        pending: connection('shaken'),
      },
      run: async ({ boss, nobody, visitor, stranger, pending }, t) => {
        const original = t.model().serverInfo.description;
        const r = await boss.request('ServerInfoUpdate', { description: `Welcome ${t.name('d')}` }).expectSuccess();
        t.expectBody(r, { success: true }, 'ADM-SINFO-10', 'the requester gets success:true');
        // Every session received ServerInfoUpdated (checked by the model comparison);
        // a connection without a session received nothing.
        await nobody.expectConnected();
        await visitor.expectConnected();
        await stranger.expectConnected();
        await pending.expectConnected();
        await boss.request('ServerInfoUpdate', { description: original }).expectSuccess();
      },
    }),

    check({
      id: 'name-is-stored-untrimmed',
      title: 'A new name is stored as sent, surrounding spaces included, and later Logins see it',
      rules: ['ADM-SINFO-5', 'ADM-SINFO-9', 'VAL-SERVER-NAME', 'SES-SI-1'],
      seed: 'admin.md §ServerInfoUpdate',
      actors: { boss: admin(), reader: user({ login: false }), door: connection('shaken') },
      run: async ({ boss, reader, door }, t) => {
        const original = t.model().serverInfo.name;
        const name = `  ${t.name('Srv')}  `;
        await boss.request('ServerInfoUpdate', { name }).expectSuccess();
        const r = await door.login(credentials(reader, { features: [] })).expectSuccess();
        const info = (r.body.server_info ?? {}) as Record<string, unknown>;
        // SES-SI: members are optional on the wire; when the name is there it is the stored one.
        t.expectBody(info, { name: oneOf([name, NONE]) }, 'ADM-SINFO-9', 'LoginResponse server_info.name');
        await boss.request('ServerInfoUpdate', { name: original }).expectSuccess();
      },
    }),

    check({
      id: 'refused-update-changes-nothing',
      title: 'A ServerInfoUpdate refused for one member writes none of the others',
      rules: ['ADM-SINFO-9', 'GEN-9', 'ADM-SINFO-6'],
      errors: ['E-SERVER-DESCRIPTION-CONTAINS-NEWLINES'],
      seed: 'admin.md §Server Info Validation',
      actors: { boss: admin(), reader: user({ login: false }), door: connection('shaken') },
      run: async ({ boss, reader, door }, t) => {
        const before = { ...t.model().serverInfo };
        const name = t.name('never');
        await boss
          .request('ServerInfoUpdate', { name, description: 'line one\nline two', max_transfers_per_ip: before.max_transfers_per_ip + 1 })
          .expectError('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
        const r = await door.login(credentials(reader, { features: [] })).expectSuccess();
        const info = (r.body.server_info ?? {}) as Record<string, unknown>;
        t.expectBody(info, { name: not(name) }, 'ADM-SINFO-9', 'the name of the refused update was not stored');
        const limit = not(before.max_transfers_per_ip + 1);
        t.expectBody(info, { max_transfers_per_ip: limit }, 'ADM-SINFO-9', 'the limit of the refused update was not stored');
      },
    }),

    check({
      id: 'limits-accept-positive-values',
      title: 'Positive per-IP limits are accepted and broadcast',
      rules: ['ADM-SINFO-8', 'VAL-LIMIT', 'ADM-SINFO-10', 'BC-6'],
      seed: 'admin.md §Server Info Validation ("Positive integer")',
      actors: { boss: admin(), nobody: user() },
      run: async ({ boss, nobody }, t) => {
        const { max_connections_per_ip: conns, max_transfers_per_ip: transfers } = t.model().serverInfo;
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: conns + 1, max_transfers_per_ip: transfers + 1 }).expectSuccess();
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: conns, max_transfers_per_ip: transfers }).expectSuccess();
        await nobody.expectConnected();
      },
    }),

    check({
      id: 'limits-reject-zero',
      title: 'spec: a per-IP limit of 0 is refused ("must be greater than 0"), connections first',
      rules: ['ADM-SINFO-8', 'VAL-LIMIT', 'GEN-3'],
      errors: ['E-MAX-CONNECTIONS-PER-IP-INVALID', 'E-MAX-TRANSFERS-PER-IP-INVALID'],
      seed: 'admin.md §Server Info Validation ("Positive integer")',
      needs: { profile: 'spec' },
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: 0 }).expectError('E-MAX-CONNECTIONS-PER-IP-INVALID');
        await boss.request('ServerInfoUpdate', { max_transfers_per_ip: 0 }).expectError('E-MAX-TRANSFERS-PER-IP-INVALID');
        await boss
          .request('ServerInfoUpdate', { max_transfers_per_ip: 0, max_connections_per_ip: 0 })
          .expectError('E-MAX-CONNECTIONS-PER-IP-INVALID');
      },
    }),

    check({
      id: 'limits-accept-zero',
      title: 'nexusd: a per-IP limit of 0 is accepted (it means unlimited)',
      rules: ['ADM-SINFO-8', 'VAL-LIMIT', 'WIRE-IP-3'],
      seed: 'admin.md §Server Info Validation',
      needs: { profile: 'nexusd' },
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const { max_connections_per_ip: conns, max_transfers_per_ip: transfers } = t.model().serverInfo;
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: 0, max_transfers_per_ip: 0 }).expectSuccess();
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: conns, max_transfers_per_ip: transfers }).expectSuccess();
      },
    }),

    check({
      id: 'lower-limit-keeps-existing-connections',
      title: 'Lowering max_connections_per_ip below the number of open connections drops none of them',
      rules: ['ADM-SINFO-11', 'WIRE-IP-3'],
      seed: 'admin.md §ServerInfoUpdate ("Max connections per IP")',
      actors: { boss: admin(), a: user(), b: user(), idle: connection('shaken') },
      run: async ({ boss, a, b, idle }, t) => {
        const conns = t.model().serverInfo.max_connections_per_ip;
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: 1 }).expectSuccess();
        await a.expectConnected();
        await b.expectConnected();
        await idle.expectConnected();
        await boss.request('ServerInfoUpdate', { max_connections_per_ip: conns }).expectSuccess();
      },
    }),

    check({
      id: 'removed-session',
      title: 'ServerInfoUpdate from an admin whose account was deleted is refused with "Authentication error" (nexusd: without closing)',
      rules: ['ADM-SINFO-2', 'GEN-2', 'SES-FORCE-1', 'UND-6', 'GEN-9'],
      errors: ['E-ACCOUNT-DELETED', 'E-AUTHENTICATION'],
      seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
      actors: { boss: admin(), victim: admin(), reader: user({ login: false }), door: connection('shaken') },
      run: async ({ boss, victim, reader, door }, t) => {
        await boss.request('UserDelete', { username: victim.username }).expectSuccess();
        const name = t.name('late');
        // The socket may already be closed (spec; nexusd UND-6); if not, the answer is E-AUTHENTICATION,
        // with a close in spec being optional and none in nexusd (model comparison).
        await victim.request('ServerInfoUpdate', { name });
        const r = await door.login(credentials(reader, { features: [] })).expectSuccess();
        const info = (r.body.server_info ?? {}) as Record<string, unknown>;
        t.expectBody(info, { name: not(name) }, 'GEN-2', 'the removed session changed nothing');
      },
    }),
  ],
);
