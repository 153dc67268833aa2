// Memoised derived views for a caller that never changes a state in place (the reference server).
// step shares every table an event leaves unchanged with its input (ctx.ts), so a view is found by
// the identity of the tables it reads: with 1,000 sessions online, the sorted user list is built
// once per login or logout instead of once per UserList. A cache belongs to one caller and holds
// the latest value of each view only; without a cache every view is computed afresh (the harness).

interface Entry {
  deps: readonly object[];
  value: unknown;
}

export class ViewCache {
  private readonly entries = new Map<string, Entry>();

  /** The value of view `name` for these tables: the cached one when every table is the same object. */
  get<T>(name: string, deps: readonly object[], compute: () => T): T {
    const hit = this.entries.get(name);
    if (hit !== undefined && hit.deps.length === deps.length && hit.deps.every((d, i) => d === deps[i])) return hit.value as T;
    const value = compute();
    this.entries.set(name, { deps, value });
    return value;
  }
}
