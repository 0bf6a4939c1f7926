import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Whether the `limit` most frequent keys (titles, businesses) among candidates (the `size` keys of the
 * largest totals, of which `taken` exist, the smallest total `smallest`) are the most frequent of all
 * keys, given the candidates' counts in the period (`counts`, the top, most frequent first): yes when
 * every key was a candidate, or when the top is full and any key left out (at most `smallest` tickets
 * in the period) falls short of its last, even on a tie (ties go by key, which a key left out may win).
 */
export function topIsComplete(candidates: { size: number; taken: number; smallest: number }, counts: number[], limit: number): boolean {
  if (candidates.taken < candidates.size) return true;
  return counts.length === limit && candidates.smallest < counts[limit - 1];
}

/** `q` narrowed to the keys (in `column`) that topOfLargest hands its `top`: all of them when null. */
export function amongKeys(q: Knex.QueryBuilder, column: string, keys: Knex.Raw | null): Knex.QueryBuilder {
  return keys ? q.whereRaw('?? in (?)', [column, keys]) : q;
}

/**
 * The `limit` keys most counted in a period, as `top` counts them (`key`, `n`, most first; of the keys
 * that the SQL it is given selects, or of every key when null), summing only the keys of the largest
 * totals of all time (`largest`: `key`, `created`, largest first): first twice `limit` of them, then 16
 * times, then all — the first attempt that topIsComplete shows to be the top. A key's count in any
 * period is at most its total, so a long tail of keys is never read.
 */
export async function topOfLargest(
  em: EntityManager,
  largest: Knex.QueryBuilder,
  top: (keys: Knex.Raw | null) => Knex.QueryBuilder,
  limit: number,
): Promise<{ key: string; n: string }[]> {
  const knex = em.getKnex();
  for (const size of [2 * limit, 16 * limit]) {
    // The top of the candidates and what bounds the keys left out, in one statement (one row of bounds even for no top).
    // Knex puts each query builder bound here in parentheses, with its own bindings.
    const rows = await em.execute<{ key: string | null; n: string | null; taken: string; smallest: number | null }[]>(
      knex.raw(
        `with c as ? select t.*, b.taken, b.smallest from (select count(*) as taken, min(c.created) as smallest from c) b left join ? t on true`,
        [largest.clone().limit(size), top(knex.raw('select c.key from c'))],
      ),
    );
    const found = rows
      .filter((row) => row.key !== null)
      .map(({ taken: _taken, smallest: _smallest, ...row }) => ({ ...row, key: row.key!, n: row.n! }))
      .sort((a, b) => Number(b.n) - Number(a.n));
    if (topIsComplete({ size, taken: Number(rows[0].taken), smallest: rows[0].smallest ?? 0 }, found.map((t) => Number(t.n)), limit)) return found;
  }
  return em.execute<{ key: string; n: string }[]>(top(null));
}
