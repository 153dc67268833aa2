// Faults of ServerInfoUpdate (rules.md §4.11) and of its validators at their boundaries.
import { BOTH, SPEC, SUITE, altered, isSend, mapOutputs, onRequest, patchBody, withBody, type FaultEntry } from './kit.ts';
import { charLength, utf8Length, type State, type StepResult } from '../../model/index.ts';

const seed = 'seed messages (ServerInfoUpdate)';
const validators = 'validators at their boundaries';

/** After a successful update, stores `patch` as well and shows it in the ServerInfoUpdated broadcasts. */
function storeAlso(r: StepResult<State>, patch: Partial<State['serverInfo']>): StepResult<State> {
  if (!r.outputs.some((o) => isSend(o, 'ServerInfoUpdateResponse') && o.message.body.success === true)) return r;
  return {
    state: altered(r.state, (s) => Object.assign(s.serverInfo, patch)),
    outputs: r.outputs.map((o) =>
      isSend(o, 'ServerInfoUpdated') ? patchBody(o, { server_info: { ...(o.message.body.server_info as object), ...patch } }) : o,
    ),
  };
}

/**
 * The validator of `member` lets a value through that it must refuse (`wrongly`): the handler
 * checks `standIn(value)`, a value it accepts, and the update stores the original.
 */
function acceptedAnyway<K extends keyof State['serverInfo']>(
  member: K,
  wrongly: (value: unknown) => boolean,
  standIn: (value: State['serverInfo'][K], state: State) => State['serverInfo'][K],
) {
  return onRequest('ServerInfoUpdate', (req, state, event, next) => {
    const value = req.body[member];
    if (!wrongly(value)) return undefined;
    const original = value as State['serverInfo'][K];
    const patch = { [member]: original } as Partial<State['serverInfo']>;
    return storeAlso(next(state, withBody(event, { ...req.body, [member]: standIn(original, state) })), patch);
  });
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const SERVER_INFO_FAULTS: FaultEntry[] = [
  {
    name: 'server-info-partial-broadcast',
    family: seed,
    description: 'ServerInfoUpdated carries only the members that changed, not the complete ServerInfo',
    rules: ['ADM-SINFO-10', 'BC-6'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('ServerInfoUpdate', (req, state, event, next) =>
        mapOutputs(next(state, event), (o) => {
          if (!isSend(o, 'ServerInfoUpdated')) return o;
          const all = o.message.body.server_info as Record<string, unknown>;
          return patchBody(o, { server_info: Object.fromEntries(Object.entries(all).filter(([k]) => k in req.body && k !== 'type')) });
        }),
      ),
  },
  {
    name: 'server-info-failure-applies-earlier-fields',
    family: seed,
    description: 'a ServerInfoUpdate refused for a later member still stores the valid name given with it',
    rules: ['ADM-SINFO-9', 'GEN-9'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('ServerInfoUpdate', (req, state, event, next) => {
        const r = next(state, event);
        const failed = r.outputs.some((o) => isSend(o) && o.message.body.success === false) || r.outputs.some((o) => isSend(o, 'Error'));
        if (!failed || typeof req.body.name !== 'string' || Object.keys(req.body).filter((k) => k !== 'type').length < 2) return r;
        const nameOnly = next(state, withBody(event, { type: 'ServerInfoUpdate', name: req.body.name }));
        return nameOnly.outputs.some((o) => isSend(o, 'ServerInfoUpdateResponse') && o.message.body.success === true)
          ? { ...r, state: nameOnly.state }
          : r;
      }),
  },
  {
    name: 'server-name-blank-accepted',
    family: validators,
    description: 'a server name of only spaces is accepted (the emptiness check does not trim)',
    rules: ['VAL-SERVER-NAME', 'ADM-SINFO-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      acceptedAnyway(
        'name',
        (name) => typeof name === 'string' && name !== '' && name.trim() === '',
        () => 'x',
      ),
  },
  {
    name: 'server-description-bytes-in-spec',
    family: validators,
    description: 'spec: the description limit counts bytes, so 512 two-byte characters are refused',
    rules: ['VAL-SERVER-DESCRIPTION', 'ADM-SINFO-6'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('ServerInfoUpdate', (req, state, event, next) => {
        const d = req.body.description;
        return typeof d === 'string' && charLength(d) <= 512 && utf8Length(d) > 512
          ? next(state, withBody(event, { ...req.body, description: d.padEnd(513, 'x') }))
          : undefined;
      }),
  },
  {
    name: 'server-name-tab-accepted',
    family: validators,
    description: 'a server name with a TAB is accepted (only newlines are refused)',
    rules: ['VAL-SERVER-NAME', 'ADM-SINFO-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      acceptedAnyway(
        'name',
        (name) => typeof name === 'string' && !/[\r\n]/.test(name) && CONTROL.test(name),
        (name) => name.replace(new RegExp(CONTROL.source, 'g'), '_'),
      ),
  },
  {
    name: 'connection-limit-zero-accepted-in-spec',
    family: validators,
    description: 'spec: max_connections_per_ip 0 is accepted (as nexusd does)',
    rules: ['VAL-LIMIT', 'ADM-SINFO-8'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      acceptedAnyway(
        'max_connections_per_ip',
        (limit) => limit === 0,
        (_, state) => state.serverInfo.max_connections_per_ip,
      ),
  },
  {
    name: 'server-image-mime-case-insensitive',
    family: validators,
    description: 'a server image declared as image/PNG is accepted (the MIME type is compared case-insensitively)',
    rules: ['VAL-SERVER-IMAGE', 'ADM-SINFO-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      acceptedAnyway(
        'image',
        (image) => {
          const mime = typeof image === 'string' ? /^data:([^;]*);base64,/.exec(image)?.[1] : undefined;
          return mime !== undefined && mime !== mime.toLowerCase();
        },
        (image) => image.replace(/^data:([^;]*);/, (_, mime: string) => `data:${mime.toLowerCase()};`),
      ),
  },
];
