// Registry of the per-message handlers (rules.md §4.1–§4.12). GEN-1 (no session) is checked by
// step.ts before dispatch; each handler checks GEN-2 at the position its rule table gives.
import type { ClientType } from '../../protocol/types.ts';
import type { Ctx, Request } from '../ctx.ts';
import { userAway, userBack, userStatus } from './away.ts';
import { connectionMonitor } from './connection-monitor.ts';
import { serverInfoUpdate } from './server-info-update.ts';
import { userCreate } from './user-create.ts';
import { userDelete } from './user-delete.ts';
import { userEdit } from './user-edit.ts';
import { userInfo } from './user-info.ts';
import { userKick } from './user-kick.ts';
import { userList } from './user-list.ts';
import { userUpdate } from './user-update.ts';

// The registry erases each handler's body type; `step` has validated the body for its type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (ctx: Ctx, req: Request<any>) => void;

export const HANDLERS: Partial<Record<ClientType, Handler>> = {
  UserList: userList, // §4.1
  UserInfo: userInfo, // §4.2
  UserAway: userAway, // §4.3
  UserBack: userBack, // §4.4
  UserStatus: userStatus, // §4.5
  UserCreate: userCreate, // §4.6
  UserEdit: userEdit, // §4.7
  UserUpdate: userUpdate, // §4.8
  UserDelete: userDelete, // §4.9
  UserKick: userKick, // §4.10
  ServerInfoUpdate: serverInfoUpdate, // §4.11
  ConnectionMonitor: connectionMonitor, // §4.12
};
