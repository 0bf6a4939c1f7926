import type { EntityManager } from '@mikro-orm/postgresql';
import { preparedRows } from '../db/prepared';
import type { SqlCondition } from '../modules/access/visibility';
import { badInput } from './errors';
import { pgArray } from './sql';
import { plainRows } from './plain-rows';
import { PrimedLoader } from './primed-loader';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from './pagination';

/** Asks for one parent's page of children: `after` is the cursor of the previous page. */
export interface ChildPageKey {
  parentId: string;
  first?: number | null;
  after?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The id a child cursor names; a cursor from anywhere else is a bad input. */
export function childCursorId(after: string): string {
  const [id] = decodeCursor(after, 1);
  if (typeof id !== 'string' || !UUID.test(id)) throw badInput('after is not a cursor from this list.', 'after');
  return id;
}

/** Checks `first` and `after` before anything is queried, so a bad value fails alone, not its batch. */
export function checkedChildPageKey(parentId: string, first?: number | null, after?: string | null): ChildPageKey {
  pageSize(first);
  if (after) childCursorId(after);
  return { parentId, first, after };
}

/** A table of children (comments, timeline entries, deliveries) read per parent by UUIDv7 id: oldest first unless `newestFirst`. */
export interface ChildTable<T> {
  entity: new (...args: never[]) => T;
  table: string;
  parentColumn: string;
  /** The parent column's type: `uuid` (default), or `text` for a column that names its parent as text (a delivery's target). */
  parentType?: 'uuid' | 'text';
  newestFirst?: boolean;
  /** The entity's property for the parent column (`ticket` for `ticket_id`): rows are grouped by it. */
  parentProperty: string;
  /** The viewer's rule for these rows (from access/visibility.ts), with any condition that makes a row a child here, added to every read. */
  visibility: (alias: string) => SqlCondition;
}

/** The parents whose children a statement reads: SQL giving their keys as one column (`select id from t`), with its bindings. */
export interface Parents {
  sql: string;
  bindings: unknown[];
}

/**
 * The first `limit + 1` rows (the extra one tells that a next page exists) of every parent in
 * `parents`, after `afterId`, under the viewer's rule: one statement, a lateral join that walks each
 * parent's (parent, id) index and stops at the page's end. Rows come with every column of the table,
 * grouped by parent in the order of `parents`, each parent's in page order.
 */
export function childRowsSql<T>(source: ChildTable<T>, parents: Parents, limit: number, afterId: string | null) {
  const visible = source.visibility('c');
  const [order, beyond] = source.newestFirst ? ['desc', '<'] : ['asc', '>'];
  return {
    sql: `select c.* from (${parents.sql}) p(id) cross join lateral (
           select c.* from ${source.table} c
           where c.${source.parentColumn} = p.id and ${visible.sql} ${afterId ? `and c.id ${beyond} ?` : ''}
           order by c.id ${order} limit ?
         ) c`,
    bindings: [...parents.bindings, ...visible.bindings, ...(afterId ? [afterId] : []), limit + 1],
  };
}

/** How many visible children each parent in `parents` (as in childRowsSql) has: rows of `parent_id` and `n`. */
export function childCountsSql<T>(source: ChildTable<T>, parents: Parents) {
  const visible = source.visibility('c');
  return {
    sql: `select p.id as parent_id, n.n from (${parents.sql}) p(id) cross join lateral (
           select count(*) as n from ${source.table} c where c.${source.parentColumn} = p.id and ${visible.sql}
         ) n`,
    bindings: [...parents.bindings, ...visible.bindings],
  };
}

/**
 * Loaders for pages of children of many parents at once: one statement returns the first N rows of
 * every parent in the batch, and one statement of counts serves every `totalCount`.
 * So a list of 100 tickets with `comments(first: 3)` costs the same statements as a list of 10.
 * `prime` fills both from rows a read model fetched in its own statement (tickets/ticket-read.ts).
 */
export function childPageLoaders<T extends { id: string }>(em: EntityManager, source: ChildTable<T>) {
  const parents = (ids: readonly string[]): Parents => ({ sql: `select unnest(?::${source.parentType ?? 'uuid'}[])`, bindings: [pgArray([...new Set(ids)])] });

  const counts = new PrimedLoader<string, number>(async (parentIds) => {
    const query = childCountsSql(source, parents(parentIds));
    const rows = await preparedRows<{ parent_id: string; n: string }>(em, query);
    const byParent = new Map(rows.map((r) => [r.parent_id, Number(r.n)]));
    return parentIds.map((id) => byParent.get(id) ?? 0);
  });

  /** The pages of `group` (keys that share `first` and `after`) from the rows childRowsSql gave for them. */
  const pagesOf = (group: readonly ChildPageKey[], rows: T[]) => {
    const limit = pageSize(group[0].first);
    const byParent = new Map<string, T[]>();
    for (const row of rows) {
      const parent = (row as Record<string, unknown>)[source.parentProperty] as { id: string } | string;
      const id = typeof parent === 'string' ? parent : parent.id;
      byParent.set(id, [...(byParent.get(id) ?? []), row]);
    }
    return group.map((key) =>
      pageFromRows(byParent.get(key.parentId) ?? [], limit, key.after, (c) => encodeCursor([c.id]), () => counts.now(key.parentId)),
    );
  };

  const load = async (keys: readonly ChildPageKey[]) => {
    // Keys in one batch usually share `first`/`after`; each distinct pair is one query.
    const groups = new Map<string, ChildPageKey[]>();
    for (const key of keys) {
      const group = `${pageSize(key.first)}|${key.after ?? ''}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    const pages = new Map<ChildPageKey, Page<T>>();
    for (const group of groups.values()) {
      const after = group[0].after;
      const query = childRowsSql(source, parents(group.map((k) => k.parentId)), pageSize(group[0].first), after ? childCursorId(after) : null);
      const rows = await preparedRows<Record<string, unknown>>(em, query);
      const found = plainRows(em, source.entity, rows);
      pagesOf(group, found).forEach((page, i) => pages.set(group[i], page));
    }
    return keys.map((key) => pages.get(key)!);
  };

  const pagesLoader = new PrimedLoader<ChildPageKey, Page<T>, string>(load, {
    cacheKeyFn: (key) => JSON.stringify([key.parentId, key.first ?? null, key.after ?? null]),
  });
  return {
    pages: pagesLoader,
    counts,
    source,
    /** Fills the loaders: the pages of `keys` (sharing `first` and `after`) from their rows, and counts when known. */
    prime(keys: readonly ChildPageKey[], rows: T[], countsByParent?: ReadonlyMap<string, number>) {
      if (keys.length === 0) return;
      pagesOf(keys, rows).forEach((page, i) => pagesLoader.prime(keys[i], page));
      if (countsByParent) for (const key of keys) counts.prime(key.parentId, countsByParent.get(key.parentId) ?? 0);
    },
  };
}

export type ChildPageLoaders<T extends { id: string }> = ReturnType<typeof childPageLoaders<T>>;
