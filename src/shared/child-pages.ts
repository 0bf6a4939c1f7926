import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { SqlCondition } from '../modules/access/visibility';
import { badInput } from './errors';
import { pgArray } from './sql';
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
  entity: EntityName<T>;
  table: string;
  parentColumn: string;
  /** The parent column's type: `uuid` (default), or `text` for a column that names its parent as text (a delivery's target). */
  parentType?: 'uuid' | 'text';
  newestFirst?: boolean;
  /** The viewer's rule for these rows (from access/visibility.ts), with any condition that makes a row a child here, added to every read. */
  visibility: (alias: string) => SqlCondition;
}

/**
 * Loaders for pages of children of many parents at once: one window-function query returns the
 * first N rows of every parent in the batch, and one grouped count serves every `totalCount`.
 * So a list of 100 tickets with `comments(first: 3)` costs the same statements as a list of 10.
 */
export function childPageLoaders<T extends { id: string }>(em: EntityManager, source: ChildTable<T>) {
  const visible = source.visibility('c');
  const parents = `any(?::${source.parentType ?? 'uuid'}[])`;
  const [order, beyond] = source.newestFirst ? ['desc', '<'] : ['asc', '>'];

  const counts = new DataLoader<string, number>(async (parentIds) => {
    const rows = await em.execute<{ parent_id: string; n: string }[]>(
      `select c.${source.parentColumn} as parent_id, count(*) as n from ${source.table} c
       where c.${source.parentColumn} = ${parents} and ${visible.sql} group by c.${source.parentColumn}`,
      [pgArray(parentIds), ...visible.bindings],
    );
    const byParent = new Map(rows.map((r) => [r.parent_id, Number(r.n)]));
    return parentIds.map((id) => byParent.get(id) ?? 0);
  });

  const load = async (keys: readonly ChildPageKey[]) => {
    // Keys in one batch usually share `first`/`after`; each distinct pair is one query.
    const groups = new Map<string, ChildPageKey[]>();
    for (const key of keys) {
      const group = `${pageSize(key.first)}|${key.after ?? ''}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    const pages = new Map<ChildPageKey, Page<T>>();
    for (const group of groups.values()) {
      const limit = pageSize(group[0].first);
      const after = group[0].after;
      const afterId = after ? childCursorId(after) : null;
      const rows = await em.execute<Record<string, unknown>[]>(
        `select * from (
           select c.*, row_number() over (partition by c.${source.parentColumn} order by c.id ${order}) as page_row
           from ${source.table} c
           where c.${source.parentColumn} = ${parents} and ${visible.sql} ${afterId ? `and c.id ${beyond} ?` : ''}
         ) x where page_row <= ? order by id ${order}`,
        [pgArray(group.map((k) => k.parentId)), ...visible.bindings, ...(afterId ? [afterId] : []), limit + 1],
      );
      for (const key of group) {
        const mine = rows
          .filter((r) => r[source.parentColumn] === key.parentId)
          .map(({ page_row: _row, ...columns }) => em.map(source.entity, columns as never) as T);
        pages.set(
          key,
          pageFromRows(mine, limit, after, (c) => encodeCursor([c.id]), () => counts.load(key.parentId)),
        );
      }
    }
    return keys.map((key) => pages.get(key)!);
  };

  const pagesLoader = new DataLoader<ChildPageKey, Page<T>, string>(load, {
    cacheKeyFn: (key) => JSON.stringify([key.parentId, key.first ?? null, key.after ?? null]),
  });
  return { pages: pagesLoader, counts };
}
