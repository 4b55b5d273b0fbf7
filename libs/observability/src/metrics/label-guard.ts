/** The value a label takes once its guard is full, or when there is none to give. */
export const OTHER = 'other';
export const NONE = 'none';

/**
 * Keeps a label's values to a bounded set: the first `max` distinct values pass, later new ones become
 * `other`. Policy-derived values (models, rules) stay far below the cap; it is the backstop for a value that
 * a caller controls (a tenant name when authentication is off) so that a flood of names cannot grow the
 * registry (every distinct value is a series kept for the life of the process).
 */
export class LabelGuard {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly maxLength = 64,
  ) {}

  value(v: string | undefined): string {
    if (v === undefined || v === '') return NONE;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max || v.length > this.maxLength) return OTHER;
    this.seen.add(v);
    return v;
  }
}

/**
 * Label children resolved once per distinct label combination, so the hot path builds no label object per
 * call (prom-client's child still checks and hashes its labels on each increment). Bounded: past `max`
 * entries it resolves without caching (still correct, one allocation more).
 */
export class ChildCache<T> {
  private readonly children = new Map<string, T>();

  constructor(
    private readonly resolve: (values: readonly string[]) => T,
    private readonly max = 5000,
  ) {}

  get(values: readonly string[]): T {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.resolve(values);
      if (this.children.size < this.max) this.children.set(key, child);
    }
    return child;
  }
}

/**
 * The `max` values seen most recently, oldest first out: which tenants a replica has routed lately, for the
 * scrape-time budget gauges (a '*' budget applies to tenants nobody listed, and Redis is not scanned for them).
 */
export class RecentSet {
  private readonly values = new Map<string, true>();

  constructor(private readonly max: number) {}

  add(value: string): void {
    // Re-inserted: a Map iterates in insertion order, so the least recently seen is first.
    this.values.delete(value);
    this.values.set(value, true);
    if (this.values.size > this.max) this.values.delete(this.values.keys().next().value as string);
  }

  /** Most recent last. */
  list(): string[] {
    return [...this.values.keys()];
  }
}
