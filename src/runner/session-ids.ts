// Target ↔ model correspondences the comparator learns while a run goes on: session ids (SES-LR-2
// says not to assert their values, so each target id is mapped onto the model id of the same
// session), the address a NAT shows for the harness, and timestamps that must stay the same.
// What one frame teaches is returned as `Learned` and committed only when the frame matched.

/** Facts learned from one matching frame; committed with `SessionIdMap.apply`. */
export interface Learned {
  /** [target session id, model session id] */
  sessions: Array<[number, number]>;
  /** [model IP, IP the target reports for it] */
  addresses: Array<[string, string]>;
  /** [consistency key, unix seconds] */
  times: Array<[string, number]>;
}

export function noLearning(): Learned {
  return { sessions: [], addresses: [], times: [] };
}

export function cloneLearned(l: Learned): Learned {
  return { sessions: [...l.sessions], addresses: [...l.addresses], times: [...l.times] };
}

/**
 * Target ↔ model correspondences. Session ids differ between a target and the model (SES-LR-2 says
 * not to assert values), so each target id is mapped onto the model id of the same session; IPs
 * the target reports for non-loopback harness addresses (NAT) are learned once and must stay the
 * same; timestamps must stay the same for the same session or account.
 */
export class SessionIdMap {
  private readonly targetToModel = new Map<number, number>();
  private readonly modelToTarget = new Map<number, number>();
  readonly addresses = new Map<string, string>();
  readonly times = new Map<string, number>();

  toModel(targetId: number): number | undefined {
    return this.targetToModel.get(targetId);
  }

  toTarget(modelId: number): number | undefined {
    return this.modelToTarget.get(modelId);
  }

  link(targetId: number, modelId: number): void {
    const oldModel = this.targetToModel.get(targetId);
    if (oldModel !== undefined) this.modelToTarget.delete(oldModel);
    const oldTarget = this.modelToTarget.get(modelId);
    if (oldTarget !== undefined) this.targetToModel.delete(oldTarget);
    this.targetToModel.set(targetId, modelId);
    this.modelToTarget.set(modelId, targetId);
  }

  apply(learned: Learned): void {
    for (const [t, m] of learned.sessions) this.link(t, m);
    for (const [m, o] of learned.addresses) this.addresses.set(m, o);
    for (const [k, v] of learned.times) this.times.set(k, v);
  }

  clear(): void {
    this.targetToModel.clear();
    this.modelToTarget.clear();
    this.addresses.clear();
    this.times.clear();
  }
}

/** Rewrites target session ids to the model's in an observed body (Observed of api.ts). */
export function mapSessionIds(value: unknown, ids: SessionIdMap, key?: string): unknown {
  if (key === 'session_id' && typeof value === 'number') return ids.toModel(value) ?? value;
  if (key === 'session_ids' && Array.isArray(value)) {
    return value.map((v) => (typeof v === 'number' ? (ids.toModel(v) ?? v) : v));
  }
  if (Array.isArray(value)) return value.map((v) => mapSessionIds(v, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSessionIds(v, ids, k)]));
  }
  return value;
}
