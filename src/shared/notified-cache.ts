import { LRUCache } from 'lru-cache';
import type { ChangeNotices } from '../db/change-notices';

/** A cached value and the notices that make it stale. */
export interface Cached<V> {
  value: V;
  /** Notices (`user:<id>`, `slaSettings`, …) any of which drops this entry. */
  droppedBy: readonly string[];
}

/**
 * An in-process cache of rows read from the database, kept only while change notices are heard
 * (db/change-notices.ts): an entry goes as soon as a notice names it, and everything goes when
 * notices may have been missed. A value is stored only if no notice came while it was being read
 * (a change that committed during the read may not be in it), and only while listening.
 * docs/architecture.md, "Cached reads and their invalidation", says why this is enough.
 */
export class NotifiedCache<V extends object> {
  private readonly entries: LRUCache<string, Cached<V>>;
  /** Counts notices: a read that saw it move may be stale. */
  private generation = 0;

  /**
   * `fenced`: a hit is served only after `notices.caughtUp()`, so a change committed before the
   * request arrived is never missed (credentials); unfenced, a hit may be a few milliseconds behind
   * another instance's change (SLA targets).
   */
  constructor(
    private readonly notices: ChangeNotices,
    max: number,
    private readonly fenced: boolean,
  ) {
    this.entries = new LRUCache({ max });
    notices.listen((notice) => (notice === null ? this.clear() : this.drop(notice)));
  }

  /** The cached value for `key`, or what `load` reads (null: nothing to cache, e.g. a revoked key). */
  async get(key: string, load: () => Promise<Cached<V> | null>): Promise<V | null> {
    if (this.entries.has(key)) {
      // Not caught up (the connection is being lost): the database decides, as below.
      if (this.fenced) await this.notices.caughtUp().catch(() => this.clear());
      const hit = this.entries.get(key);
      if (hit) return hit.value;
    }
    const generation = this.generation;
    const loaded = await load();
    if (loaded && this.notices.live && generation === this.generation) this.entries.set(key, loaded);
    return loaded?.value ?? null;
  }

  /** Drops every entry that `notice` names. Notices are rare (a revocation, a role change), so a scan is fine. */
  drop(notice: string): void {
    this.generation += 1;
    const stale = [...this.entries.entries()].filter(([, entry]) => entry.droppedBy.includes(notice));
    for (const [key] of stale) this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
