// Check order data (GEN-3) of the users messages (users.md: UserList, UserInfo, away and status): one entry per
// message, its steps in the order the handler checks them. Vocabulary: vocabulary.ts.
import { GEN1, GEN2, lacks, member, names, v, ref, step, type MessageOrder } from './vocabulary.ts';

export const USER_ORDERS: readonly MessageOrder[] = [
  {
    id: 'user-list',
    message: 'UserList',
    title: 'UserList (all:false)',
    seed: 'users.md §Permissions',
    base: { all: v(false) },
    names: {},
    steps: [
      GEN1('USR-LIST-1'),
      GEN2('USR-LIST-1'),
      step('permission', ['USR-LIST-2', 'GEN-4'], 'E-PERMISSION-DENIED', [lacks('user_list')]),
    ],
  },
  {
    id: 'user-info',
    message: 'UserInfo',
    title: 'UserInfo',
    seed: 'users.md §UserInfo',
    base: { nickname: ref('online') },
    names: { nickname: 'nickname' },
    steps: [
      GEN1('USR-INFO-1'),
      step('nickname', ['USR-INFO-2', 'VAL-NICKNAME'], 'E-NICKNAME-EMPTY', [member('nickname', '')]),
      GEN2('USR-INFO-3'),
      step('permission', ['USR-INFO-4', 'GEN-4'], 'E-PERMISSION-DENIED', [lacks('user_info')]),
      step('not-online', ['USR-INFO-5'], 'E-NICKNAME-NOT-ONLINE', [names('nickname', 'missing', ['missing', 'not-online'])]),
    ],
  },
  {
    id: 'user-away',
    message: 'UserAway',
    title: 'UserAway',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [
      GEN1('USR-AWAY-1'),
      step('message', ['USR-AWAY-2', 'VAL-STATUS'], 'E-STATUS-TOO-LONG', [member('message', 'm'.repeat(129))]),
      GEN2('USR-AWAY-3'),
    ],
  },
  {
    id: 'user-back',
    message: 'UserBack',
    title: 'UserBack',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [GEN1('USR-BACK-1'), GEN2('USR-BACK-1')],
  },
  {
    id: 'user-status',
    message: 'UserStatus',
    title: 'UserStatus',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [
      GEN1('USR-STATUS-1'),
      step('status', ['USR-STATUS-1', 'VAL-STATUS'], 'E-STATUS-CONTAINS-NEWLINES', [member('status', 'a\nb')]),
      GEN2('USR-STATUS-1'),
    ],
  },
];
