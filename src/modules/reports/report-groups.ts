import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { ReportDimension } from './report.inputs';
import type { ReportGroupValue } from './report.payloads';

/** The SQL of each dimension over `ticket t` (TAG over the ticket's tag links as `tt`, which `groupBy` joins). */
const COLUMNS: Record<ReportDimension, string> = {
  [ReportDimension.STATUS]: 't.status',
  [ReportDimension.PRIORITY]: 't.priority',
  [ReportDimension.CHANNEL]: 't.channel',
  [ReportDimension.ASSIGNEE]: 't.assignee_id',
  [ReportDimension.BUSINESS]: 't.business_id',
  [ReportDimension.TAG]: 'tt.tag_id',
};

/** Where the label of an id dimension comes from, and its global id type. */
const NAMED: Partial<Record<ReportDimension, { table: string; type: string }>> = {
  [ReportDimension.ASSIGNEE]: { table: 'app_user', type: 'User' },
  [ReportDimension.BUSINESS]: { table: 'business', type: 'Business' },
  [ReportDimension.TAG]: { table: 'tag', type: 'Tag' },
};

export function distinctDimensions(groupBy: readonly ReportDimension[] | null | undefined): ReportDimension[] {
  return [...new Set(groupBy ?? [])];
}

/** A ticket `t` once per tag as `tt.tag_id` (once with no tag when it has none). */
export const EACH_TAG = 'left join ticket_tag tt on tt.ticket_id = t.id';

/** Selects the dimensions of `q` (over `ticket t`) as `g0`, `g1`, …; under TAG a ticket comes once per tag. */
export function selectGroups(q: Knex.QueryBuilder, dimensions: readonly ReportDimension[]): Knex.QueryBuilder {
  if (dimensions.includes(ReportDimension.TAG)) q.joinRaw(EACH_TAG);
  dimensions.forEach((dimension, i) => q.select(`${COLUMNS[dimension]} as g${i}`));
  return q;
}

/** Groups `q` (over `ticket t`) by the dimensions, selecting each as `g0`, `g1`, …; under TAG a ticket counts once per tag. */
export function groupBy(q: Knex.QueryBuilder, dimensions: readonly ReportDimension[]): Knex.QueryBuilder {
  selectGroups(q, dimensions);
  dimensions.forEach((dimension) => q.groupBy(COLUMNS[dimension]));
  return q;
}

export type GroupedRow = Record<string, unknown>;

/** The key of a grouped row, to merge rows of several queries over the same groups. */
export function groupKey(row: GroupedRow, dimensions: readonly ReportDimension[]): string {
  return dimensions.map((_, i) => String(row[`g${i}`] ?? '')).join('\u0000');
}

/** Turns the `g0…` columns of rows into readable group values, with one name lookup per id dimension. */
export async function describeGroups(em: EntityManager, dimensions: readonly ReportDimension[], rows: GroupedRow[]): Promise<Map<string, ReportGroupValue[]>> {
  const names = new Map<ReportDimension, Map<string, string>>();
  for (const [i, dimension] of dimensions.entries()) {
    const named = NAMED[dimension];
    if (!named) continue;
    const ids = [...new Set(rows.map((row) => row[`g${i}`]).filter((id): id is string => typeof id === 'string'))];
    // Through `em.execute`, on the report's own transaction: a query builder awaited by itself would take a
    // second pool connection while the transaction holds the first (ten such reports exhaust the pool).
    const found = ids.length ? await em.execute<{ id: string; name: string }[]>(em.getKnex()(named.table).select('id', 'name').whereIn('id', ids)) : [];
    names.set(dimension, new Map(found.map((r) => [r.id, r.name])));
  }
  const groups = new Map<string, ReportGroupValue[]>();
  for (const row of rows) {
    groups.set(
      groupKey(row, dimensions),
      dimensions.map((dimension, i) => {
        const value = (row[`g${i}`] as string | null) ?? null;
        const named = NAMED[dimension];
        if (!named) return { dimension, key: value, label: value };
        return { dimension, key: value && toGlobalId(named.type, value), label: value && (names.get(dimension)?.get(value) ?? null) };
      }),
    );
  }
  return groups;
}
