// Deleting an account by name within the profile's frame limits. VAL-USERNAME counts characters, so
// UserCreate accepts 32 multi-byte characters, but in `nexusd` the era's exact UserDelete frame
// (67 bytes, WIRE-LIM-1) holds a name of at most 32 bytes: such an account could be created and
// never deleted. It is renamed to a short run name first (UserUpdate's frame holds both names),
// then deleted under that name. Pure: says what to send; the lockstep or a raw connection sends it.
import { requestPayload } from '../protocol/frame.ts';
import { clientLimit } from '../protocol/limits.ts';
import type { Profile } from '../protocol/types.ts';

export interface DeleteRequest {
  type: 'UserUpdate' | 'UserDelete';
  body: Record<string, unknown>;
}

/** The requests that delete `username`: UserDelete alone, or a rename to `shortName()` first when its frame would be over the limit. */
export function deleteRequests(username: string, profile: Profile, shortName: () => string): DeleteRequest[] {
  const del = { username };
  if (requestPayload('UserDelete', del).length <= clientLimit('UserDelete', profile)) return [{ type: 'UserDelete', body: del }];
  const to = shortName();
  return [
    { type: 'UserUpdate', body: { username, requested_username: to } },
    { type: 'UserDelete', body: { username: to } },
  ];
}
