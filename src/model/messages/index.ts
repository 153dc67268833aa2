// Registry of the per-message handlers (rules.md §4.1–§4.12). GEN-1 (no session) is checked by
// step.ts before dispatch; each handler checks GEN-2 at the position its rule table gives.
import type { ClientType } from '../../protocol/types.ts';
import type { Ctx, Request } from '../ctx.ts';

export type Handler = (ctx: Ctx, req: Request<any>) => void;

export const HANDLERS: Partial<Record<ClientType, Handler>> = {};
