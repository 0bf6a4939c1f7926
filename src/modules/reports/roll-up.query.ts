import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { optionalIdOf } from '../../shared/validation';
import { monthCoverOf, type Instants } from './month-cover.query';
import { ReportDimension } from './report.inputs';
import { groupKey, type GroupedRow } from './report-groups';
import { narrowsTickets, type ReportWindow } from './report-window';
import { countedStates, currentStates } from './roll-up-state';
import { ROLL_UP_CONSUMER } from './roll-up.writer';
import { keeps, shareOf, type Dimension, type Scope, type ShareRow } from './roll-ups';

/**
 * Reading the roll-ups at a report's snapshot. `roll_up` holds what the consumer has counted, up to
 * its checkpoint; the tickets named by the timeline entries after it (committed, in the snapshot)
 * are counted here as the consumer will count them: their share now less the share last counted. The
 * checkpoint, the rows and the counted states move in one transaction, so in any snapshot they agree.
 */

/** What counting the tickets changed after the checkpoint adds, as signed share rows (with their instants). */
export function pendingShares(em: EntityManager): Promise<ShareRow[]> {
  if (!pending.has(em)) pending.set(em, readPending(em));
  return pending.get(em)!;
}

// Once per report: its statements share one transaction (one EntityManager), hence one snapshot.
const pending = new WeakMap<EntityManager, Promise<ShareRow[]>>();

async function readPending(em: EntityManager): Promise<ShareRow[]> {
  // The checkpoint first, as a constant: the entries after it are then a range of the position index.
  const [checkpoint] = await em.execute<{ position: string }[]>('select position::text as position from feed_checkpoint where consumer = ?', [ROLL_UP_CONSUMER]);
  const ids = (
    await em.execute<{ ticket_id: string }[]>('select distinct e.ticket_id from ticket_event e where e.position > ?::bigint', [checkpoint?.position ?? '0'])
  ).map((row) => row.ticket_id);
  if (ids.length === 0) return [];
  const [counted, current] = [await countedStates(em, ids), await currentStates(em, ids)];
  return ids.flatMap((id) => [...shareOf(current.get(id) ?? null), ...shareOf(counted.get(id) ?? null).map((row) => ({ ...row, count: -row.count, sum: -row.sum }))]);
}

/** Which roll-up rows a report's tickets and grouping are: a scope (one id, or every id when null), a dimension, and where each group value comes from. */
export interface Target {
  scope: Scope;
  scopeId: string | null;
  dimension: Dimension;
  /** Per report dimension, in order: the row's scope id or its key. */
  groups: ('scope' | 'key')[];
}

const AS_DIMENSION: Partial<Record<ReportDimension, Dimension>> = {
  [ReportDimension.ASSIGNEE]: 'assignee',
  [ReportDimension.STATUS]: 'status',
  [ReportDimension.PRIORITY]: 'priority',
  [ReportDimension.CHANNEL]: 'channel',
  [ReportDimension.TAG]: 'tag',
  [ReportDimension.BUSINESS]: 'business',
};

/** The scope a report's ticket filter is: all tickets, one business's or one assignee's (`ignore`: filter fields the report applies itself); null for any other filter. */
export function scopeOf(window: ReportWindow, ignore: 'assigneeId'[] = []): { scope: Scope; id: string | null } | null {
  if (!narrowsTickets(window, ignore)) return { scope: 'all', id: null };
  const fields = Object.entries(window.filter ?? {}).filter(([field, value]) => value !== null && value !== undefined && !ignore.includes(field as 'assigneeId'));
  if (fields.length !== 1) return null;
  if (fields[0][0] === 'businessId') return { scope: 'business', id: optionalIdOf(window.filter!.businessId, 'Business', 'filter.businessId') };
  if (fields[0][0] === 'assigneeId') return { scope: 'assignee', id: optionalIdOf(window.filter!.assigneeId, 'User', 'filter.assigneeId') };
  return null;
}

/**
 * The roll-up rows that answer `measures` for the window's tickets grouped by `dimensions`, or null when
 * no kept rows do (the report then reads the tickets' rows). Grouping by ASSIGNEE or BUSINESS over all
 * tickets reads that scope's rows of every id; within one business or assignee, by itself, its own.
 */
export function targetOf(window: ReportWindow, dimensions: readonly ReportDimension[], measures: readonly string[], ignore: 'assigneeId'[] = []): Target | null {
  const base = scopeOf(window, ignore);
  if (!base) return null;
  let { scope } = base;
  let dimension: Dimension = 'none';
  const groups: Target['groups'] = [];
  for (const reportDimension of dimensions) {
    if ((scope === 'assignee' && reportDimension === ReportDimension.ASSIGNEE) || (scope === 'business' && reportDimension === ReportDimension.BUSINESS)) {
      groups.push('scope');
    } else if (scope === 'all' && (reportDimension === ReportDimension.ASSIGNEE || reportDimension === ReportDimension.BUSINESS)) {
      scope = reportDimension === ReportDimension.ASSIGNEE ? 'assignee' : 'business';
      groups.push('scope');
    } else if (dimension === 'none' && AS_DIMENSION[reportDimension]) {
      dimension = AS_DIMENSION[reportDimension]!;
      groups.push('key');
    } else {
      return null;
    }
  }
  if (!measures.every((measure) => keeps(measure, scope, dimension))) return null;
  return { scope, scopeId: base.id, dimension, groups };
}

/** A summed roll-up row of a target: its group values (`g0`, `g1`, … as report-groups.ts names them) and bucket. */
export interface SumRow {
  measure: string;
  /** 'YYYY-MM-01', when asked for by month. */
  month?: string;
  groups: (string | null)[];
  bucket: number | null;
  count: number;
  sum: number;
}

const utcDay = (instant: Date) => instant.toISOString().slice(0, 10);

/** The months the roll-ups hold rows for: from the first ticket's to the one after now (once per report). */
function heldMonths(em: EntityManager): Promise<{ first: Date; last: Date }> {
  if (!held.has(em)) {
    held.set(
      em,
      em
        .execute<{ first: string | null; last: string }[]>(
          `select date_trunc('month', (select min(created_at) from ticket) at time zone 'UTC')::date::text as first,
                  (date_trunc('month', now() at time zone 'UTC') + interval '1 month')::date::text as last`,
        )
        .then(([row]) => ({ first: new Date(`${row.first ?? row.last}T00:00:00Z`), last: new Date(`${row.last}T00:00:00Z`) })),
    );
  }
  return held.get(em)!;
}

const held = new WeakMap<EntityManager, Promise<{ first: Date; last: Date }>>();

const monthsFrom = (from: Date, to: Date) => Math.max(0, (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth());

/**
 * The statement behind rolledUp: `measure`, `scope_id`, `key`, `bucket` (and `month`), summed `count`
 * and `sum` (bigint or float8), of the rows in `roll_up` alone. (Wrapped: a query builder is a
 * thenable, which awaiting would run.)
 */
export async function rolledUpRows(
  em: EntityManager,
  target: Target,
  measures: readonly string[],
  months: { first: Date; last: Date } | null,
  byMonth = false,
): Promise<{ query: Knex.QueryBuilder }> {
  const knex = em.getKnex();
  const columns = ['measure', 'scope_id', 'key', 'bucket', ...(byMonth ? ['month'] : [])];
  const q = knex('roll_up').whereIn('measure', measures).where({ scope: target.scope, dimension: target.dimension });
  if (target.scopeId) q.where('scope_id', target.scopeId);
  // The all-time rows alone are one row per key already: read as they are. Months are summed (those outside a long period taken off).
  let allTime = !months;
  let sign = '';
  if (months && !byMonth) {
    const all = await heldMonths(em);
    const inside = monthsFrom(months.first > all.first ? months.first : all.first, months.last < all.last ? months.last : all.last);
    const outside = monthsFrom(all.first, months.first) + monthsFrom(months.last, all.last);
    if (outside === 0 && inside > 0) {
      allTime = true;
    } else if (outside < inside) {
      q.where((w) => w.whereNull('month').orWhere('month', '<', utcDay(months.first)).orWhere('month', '>=', utcDay(months.last)));
      sign = 'case when month is null then 1 else -1 end * ';
    } else {
      q.where('month', '>=', utcDay(months.first)).where('month', '<', utcDay(months.last));
    }
  } else if (months) {
    q.where('month', '>=', utcDay(months.first)).where('month', '<', utcDay(months.last));
  }
  if (allTime) {
    // The columns as they are, so that an order by count can follow an index (roll_up_top_keys_idx).
    q.whereNull('month').select(...columns, 'count', 'sum');
  } else {
    q.groupBy(...columns).select(
      ...columns.filter((column) => column !== 'month'),
      knex.raw(`${byMonth ? `to_char(month, 'YYYY-MM-DD') as month, ` : ''}sum(${sign}count)::float8 as count, sum(${sign}sum)::float8 as sum`),
    );
  }
  return { query: q };
}

/**
 * The sums of `measures` over the target's rows of the UTC months [first, last) (all time when
 * null), the changes not yet counted included: per measure, group and bucket (and month, `byMonth`).
 * When fewer of the months held lie outside the period than inside it (a year of two, all time), the
 * period is read as the all-time rows less the months outside it: a long period reads few rows.
 */
export async function rolledUp(
  em: EntityManager,
  target: Target,
  measures: readonly string[],
  months: { first: Date; last: Date } | null,
  { byMonth = false } = {},
): Promise<SumRow[]> {
  const { query: q } = await rolledUpRows(em, target, measures, months, byMonth);
  type Row = { measure: string; scope_id: string | null; key: string | null; bucket: number | null; month?: string; count: number; sum: number };
  const rows = await em.execute<Row[]>(q);
  const sums = new Map<string, SumRow>();
  const add = (measure: string, scopeId: string | null, key: string | null, bucket: number | null, month: string | undefined, count: number, sum: number) => {
    const groups = target.groups.map((from) => (from === 'scope' ? scopeId : key));
    const id = JSON.stringify([measure, groups, bucket, month]);
    const row = sums.get(id) ?? { measure, groups, bucket, month, count: 0, sum: 0 };
    row.count += count;
    row.sum += sum;
    sums.set(id, row);
  };
  for (const row of rows) add(row.measure, row.scope_id, row.key, row.bucket, row.month, Number(row.count), Number(row.sum));
  for (const row of await pendingRows(em, target, measures, months)) add(row.measure, row.scopeId, row.key, row.bucket, byMonth ? row.month! : undefined, row.count, row.sum);
  return [...sums.values()].filter((row) => row.count !== 0 || row.sum !== 0);
}

/** The signed share rows of the changes not counted yet (pendingShares) that fall in the target's rows of `measures` and the UTC months [first, last) (all time when null). */
export async function pendingRows(em: EntityManager, target: Target, measures: readonly string[], months: { first: Date; last: Date } | null): Promise<ShareRow[]> {
  const [first, last] = months ? [utcDay(months.first), utcDay(months.last)] : ['', '~'];
  return (await pendingShares(em)).filter(
    (row) =>
      measures.includes(row.measure) && row.scope === target.scope && row.dimension === target.dimension &&
      (!target.scopeId || row.scopeId === target.scopeId) && row.month! >= first && row.month! < last,
  );
}

/**
 * Per group (`g0`, `g1`, … as report-groups.ts names them), the count (as `<measure>`) and sum (as
 * `<measure>_sum`) of each measure over the window's period, and of a bucketed measure the count of
 * each bucket (as `<measure>_<bucket>`): the whole UTC months from the roll-up, the partial months at
 * its edges from the tickets' rows (`fromRows`, selecting the same columns). Null when the roll-up
 * keeps no rows for this filter and grouping: the caller reads the rows instead.
 */
export async function periodSums(
  em: EntityManager,
  window: ReportWindow,
  dimensions: readonly ReportDimension[],
  measures: readonly string[],
  instants: Instants,
  fromRows: (range: { from: Date; to: Date }) => Knex.QueryBuilder,
  ignore: 'assigneeId'[] = [],
): Promise<GroupedRow[] | null> {
  const target = targetOf(window, dimensions, measures, ignore);
  if (!target) return null;
  const { months, rows: edges } = await monthCoverOf(em, window, instants);
  const merged = new Map<string, GroupedRow>();
  const groupColumns = new Set(dimensions.map((_, i) => `g${i}`));
  const add = (row: GroupedRow) => {
    const key = groupKey(row, dimensions);
    const sum: GroupedRow =
      merged.get(key) ?? Object.fromEntries([...[...groupColumns].map((column) => [column, row[column] ?? null]), ...measures.flatMap((measure) => [[measure, 0], [`${measure}_sum`, 0]])]);
    for (const column in row) if (!groupColumns.has(column)) sum[column] = Number(sum[column] ?? 0) + Number(row[column] ?? 0);
    merged.set(key, sum);
  };
  if (months) {
    for (const s of await rolledUp(em, target, measures, months)) {
      const groups = Object.fromEntries(s.groups.map((value, i) => [`g${i}`, value]));
      add({ ...groups, [s.measure]: s.count, [`${s.measure}_sum`]: s.sum, ...(s.bucket === null ? {} : { [`${s.measure}_${s.bucket}`]: s.count }) });
    }
  }
  for (const [from, to] of edges) for (const row of await em.execute<GroupedRow[]>(fromRows({ from, to }))) add(row);
  // Without a dimension, one row even of no tickets, as an aggregate over the rows gives.
  if (dimensions.length === 0 && merged.size === 0) add({});
  return [...merged.values()].filter((row) => dimensions.length === 0 || measures.some((measure) => Number(row[measure]) !== 0));
}
