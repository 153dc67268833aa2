// The stateful fuzzer's account-management commands: kicks, UserCreate / UserEdit / UserUpdate /
// UserDelete and ServerInfoUpdate, asked by any live session or by the admin (so both the refusals
// and the effects come up).
import { alive, dropAccountSessions, fresh, pick, type Model, type Steps } from './model.ts';
import { AccountCommand, request, SessionCommand } from './command-base.ts';

/** UserKick of a live session's nickname; whatever the verdict, the target is not used again. */
export class Kick extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly target: number,
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const target = pick(alive(m), this.target);
    request(r, from, 'UserKick', { nickname: target.nickname });
    if (m.accounts.get(target.account)?.shared) target.alive = false;
    else dropAccountSessions(m, target.account);
  }
  toString(): string {
    return `Kick(${this.who}, ${this.asAdmin}, ${this.target})`;
  }
}

export class Create extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly kind: { shared: boolean; admin: boolean; enabled: boolean; permissions: string[] },
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    const n = fresh(m);
    const ref = `{{name:a${n}}}`;
    const { shared, admin, enabled, permissions } = this.kind;
    request(r, this.from(m), 'UserCreate', {
      username: ref,
      password: 'Fuzz-pass-1',
      is_admin: admin,
      ...(shared ? { is_shared: true } : {}),
      enabled,
      permissions,
    });
    m.accounts.set(`a${n}`, { ref, password: 'Fuzz-pass-1', shared, admin, enabled });
  }
  toString(): string {
    return `Create(${this.who}, ${this.asAdmin}, ${JSON.stringify(this.kind)})`;
  }
}

export class Edit extends AccountCommand {
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserEdit', { username: m.accounts.get(this.accountKey(m))!.ref });
  }
  toString(): string {
    return `Edit(${this.who}, ${this.asAdmin}, ${this.account})`;
  }
}

export type Change = 'rename' | 'permissions' | 'disable' | 'enable' | 'promote' | 'demote';

/** UserUpdate: renames, permission changes, disable/enable, promote/demote. */
export class Update extends AccountCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    account: number,
    readonly change: Change,
    readonly permissions: string[],
  ) {
    super(who, asAdmin, account);
  }
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const key = this.accountKey(m);
    const a = m.accounts.get(key)!;
    const body: Record<string, unknown> = { username: a.ref };
    switch (this.change) {
      case 'rename': {
        const ref = `{{name:u${fresh(m)}}}`;
        body.requested_username = ref;
        // The account keeps its sessions (regular ones may show either nickname, UND-7).
        a.ref = ref;
        for (const s of m.sessions) if (s.account === key && !a.shared) s.nickname = ref;
        break;
      }
      case 'permissions':
        body.requested_permissions = this.permissions;
        break;
      case 'disable':
        body.requested_enabled = false;
        a.enabled = false;
        dropAccountSessions(m, key);
        break;
      case 'enable':
        body.requested_enabled = true;
        a.enabled = true;
        break;
      case 'promote':
      case 'demote':
        body.requested_is_admin = this.change === 'promote';
        a.admin = this.change === 'promote';
        break;
    }
    request(r, from, 'UserUpdate', body);
  }
  toString(): string {
    return `Update(${this.who}, ${this.asAdmin}, ${this.account}, ${this.change}, ${JSON.stringify(this.permissions)})`;
  }
}

export class Delete extends AccountCommand {
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const key = this.accountKey(m);
    request(r, from, 'UserDelete', { username: m.accounts.get(key)!.ref });
    dropAccountSessions(m, key);
    m.accounts.delete(key);
  }
  toString(): string {
    return `Delete(${this.who}, ${this.asAdmin}, ${this.account})`;
  }
}

export class ServerInfo extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly member: 'name' | 'description',
    readonly value: string,
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'ServerInfoUpdate', { [this.member]: this.value });
  }
  toString(): string {
    return `ServerInfo(${this.who}, ${this.member}, ${JSON.stringify(this.value)})`;
  }
}
