// The check order of every message handler as data (GEN-3, rules.md §4): per message, the ordered
// steps the handler in messages/*.ts already follows, each with its rule ids, the error it answers
// and the faults that make it fail. The handlers stay the oracle; this table restates their order
// so the suite can generate multi-fault requests from it (scenarios/generated/check-order.ts), and
// those checks run against the reference server prove the table and the handlers agree. The rows
// live in check-order/ by spec document; their vocabulary in check-order/vocabulary.ts.
import { ADMIN_ORDERS } from './check-order/admin.ts';
import { SESSION_ORDERS } from './check-order/session.ts';
import { USER_ORDERS } from './check-order/users.ts';
import type { MessageOrder } from './check-order/vocabulary.ts';

export { MESSAGE_STATES, REQUESTER_STATES } from './check-order/vocabulary.ts';
export type { BodyValue, Fault, Json, MessageOrder, NameProp, NameRef, OrderStep, RequesterState } from './check-order/vocabulary.ts';

/** Every message's order, in the order the generated section runs them. */
export const CHECK_ORDER: readonly MessageOrder[] = [...SESSION_ORDERS, ...USER_ORDERS, ...ADMIN_ORDERS];
