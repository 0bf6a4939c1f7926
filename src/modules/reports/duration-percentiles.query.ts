import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { interpolate, percentileRanks } from './duration-histogram';
import { monthCoverOf } from './month-cover.query';
import type { ReportDimension } from './report.inputs';
import { groupKey, selectGroups, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, type ReportWindow } from './report-window';
import { arrayOf } from './roll-up-state';
import { pendingRows, rolledUpRows, targetOf, type Target } from './roll-up.query';
import { bucketOf, bucketRange, type Dimension } from './roll-ups';

/** A duration measure of the roll-ups, its ticket column and the instant it is counted at. */
export interface DurationMeasure {
  measure: string;
  column: string;
  at: string;
}

export const RESOLUTION: DurationMeasure = { measure: 'resolution_seconds', column: 't.resolution_seconds', at: 't.resolved_at' };
export const RESOLUTION_BUSINESS: DurationMeasure = { measure: 'resolution_business_seconds', column: 't.resolution_business_seconds', at: 't.resolved_at' };
export const FIRST_RESPONSE: DurationMeasure = { measure: 'first_response_seconds', column: 't.first_response_seconds', at: 't.first_responded_at' };
export const FIRST_RESPONSE_BUSINESS: DurationMeasure = {
  measure: 'first_response_business_seconds',
  column: 't.first_response_business_seconds',
  at: 't.first_responded_at',
};

/** One group's durations: how many, their sum, and the seconds at each percentile asked for (null without any). */
export interface DurationSummary {
  groups: (string | null)[];
  count: number;
  seconds: number;
  percentiles: Map<number, number | null>;
}

/** The ticket column a roll-up row's scope id or key is of, per scope and dimension (durations are kept by these). */
const SCOPE_COLUMNS: Record<Target['scope'], string | null> = { all: null, business: 't.business_id', assignee: 't.assignee_id' };
const KEY_COLUMNS: Partial<Record<Dimension, string | null>> = { none: null, status: 't.status', priority: 't.priority', channel: 't.channel', business: 't.business_id', assignee: 't.assignee_id' };

/** A histogram's group as the roll-up keys it: measure, scope id and key. */
interface Group {
  measure: string;
  scopeId: string | null;
  key: string | null;
}

/** A row of the roll-up's shape (a group's bucket: how many, and their seconds). */
interface BucketRow extends Group {
  bucket: number;
  count: number;
  sum: number;
}

/** A bucket that holds a rank asked for: the values before it in its group, and its own. */
interface RankBucket {
  bucket: number;
  before: number;
  n: number;
}

/** A group's histogram as the first statement answers it: its count and sum, and the buckets holding the ranks asked for. */
interface RankedGroup extends Group {
  total: number;
  seconds: number;
  buckets: RankBucket[];
}

/** The values at some offsets of a group's bucket, and how many values the bucket holds. */
interface BucketRead extends Group {
  bucket: number;
  n: number;
  offsets: Set<number>;
  values: Map<number, number>;
}

const groupId = (group: Group) => JSON.stringify([group.measure, group.scopeId, group.key]);
const bucketId = (group: Group, bucket: number) => JSON.stringify([groupId(group), bucket]);

/**
 * What the roll-up's rows do not hold of the period, as rows of its shape: the changes not counted yet
 * (within the whole months) and the tickets of the partial months at the edges.
 */
async function rowsBeside(
  em: EntityManager,
  window: ReportWindow,
  dimensions: readonly ReportDimension[],
  target: Target,
  durations: readonly DurationMeasure[],
  { months, edges }: { months: { first: Date; last: Date } | null; edges: [Date, Date][] },
): Promise<BucketRow[]> {
  const rows = new Map<string, BucketRow>();
  const add = (row: BucketRow) => {
    const sum = rows.get(bucketId(row, row.bucket)) ?? { ...row, count: 0, sum: 0 };
    sum.count += row.count;
    sum.sum += row.sum;
    rows.set(bucketId(row, row.bucket), sum);
  };
  if (months) for (const row of await pendingRows(em, target, durations.map((d) => d.measure), months)) add({ ...row, bucket: row.bucket! });
  const valueOf = (row: GroupedRow, from: 'scope' | 'key') => (target.groups.includes(from) ? ((row[`g${target.groups.indexOf(from)}`] as string | null) ?? null) : null);
  for (const [from, to] of edges) {
    for (const { measure, column, at } of durations) {
      const q = inPeriod(selectGroups(filteredTickets(em, window).whereNotNull(column), dimensions), at, { from, to }).select(`${column} as seconds`);
      for (const row of await em.execute<GroupedRow[]>(q)) {
        const seconds = Number(row.seconds);
        add({ measure, scopeId: target.groups.includes('scope') ? valueOf(row, 'scope') : target.scopeId, key: valueOf(row, 'key'), bucket: bucketOf(seconds), count: 1, sum: seconds });
      }
    }
  }
  return [...rows.values()];
}

/**
 * The first statement: the histograms summed in SQL (`parts`, rows of the roll-up's shape), and per
 * group its count and sum and the buckets in order with running sums, of which only those holding
 * floor or ceil of p × (count − 1) for a p asked for. Null on drift (a bucket or total below zero).
 */
async function rankedGroups(em: EntityManager, parts: Knex.QueryBuilder[], percentiles: number[]): Promise<RankedGroup[] | null> {
  const knex = em.getKnex();
  type Row = { measure: string; scope_id: string | null; key: string | null; total: number; seconds: number; least: number; bucket: number; before: number; n: number };
  // Sums in float8 (exact for whole numbers below 2^53, and far quicker than numeric); the ranks as percentileRanks computes them.
  const holds = percentiles.flatMap((p) => ['floor', 'ceil'].map((round) => knex.raw(`(${round}(?::float8 * (total - 1)) between before and before + n - 1)`, [p])));
  const rows = await em.execute<Row[]>(
    knex.raw(
      `with b as (
         select h.measure, h.scope_id, h.key, h.bucket, sum(h.count::float8) as n, sum(h.sum::float8) as seconds from (?) h
          group by h.measure, h.scope_id, h.key, h.bucket having sum(h.count::float8) <> 0 or sum(h.sum::float8) <> 0),
       r as (
         select b.*, sum(n) over (g order by bucket) - n as before, sum(n) over g as total, sum(seconds) over g as total_seconds, min(n) over g as least
           from b window g as (partition by measure, scope_id, key))
       select measure, scope_id, key, total, total_seconds as seconds, least, bucket, before, n from r
        where least < 0 or total <= 0 or ${holds.map(() => '?').join(' or ')}`,
      [knex.unionAll(parts, true), ...holds],
    ),
  );
  const groups = new Map<string, RankedGroup>();
  for (const row of rows) {
    if (Number(row.least) < 0 || Number(row.total) < 0) return null;
    const group: Group = { measure: row.measure, scopeId: row.scope_id, key: row.key };
    const ranked = groups.get(groupId(group)) ?? { ...group, total: Number(row.total), seconds: Number(row.seconds), buckets: [] };
    ranked.buckets.push({ bucket: Number(row.bucket), before: Number(row.before), n: Number(row.n) });
    groups.set(groupId(group), ranked);
  }
  return [...groups.values()].filter((group) => group.total > 0);
}

/**
 * The second statement: per bucket read, its tickets of the period in order, walked from the duration's
 * index (a lateral join, one walk per bucket), answering how many there are and the values at its
 * offsets alone. Fills `values` and `n` of each read.
 */
async function readBuckets(em: EntityManager, window: ReportWindow, target: Target, durations: readonly DurationMeasure[], reads: BucketRead[]): Promise<void> {
  const knex = em.getKnex();
  const scopeColumn = SCOPE_COLUMNS[target.scope];
  const keyColumn = KEY_COLUMNS[target.dimension];
  const walks = durations.flatMap(({ measure, column, at }) => {
    const buckets = reads.filter((read) => read.measure === measure);
    if (buckets.length === 0) return [];
    const inBucket = () => {
      const q = inPeriod(filteredTickets(em, window), at, window).whereRaw(`${column} >= w.lower and ${column} < w.upper`).select(`${column} as seconds`);
      if (keyColumn) q.whereRaw(`${keyColumn}::text is not distinct from w.key`);
      if (scopeColumn && scopeColumn !== 't.assignee_id' && target.groups.includes('scope')) q.whereRaw(`${scopeColumn} is not distinct from w.scope_id`);
      return q;
    };
    // The duration's indexes lead with the assignee: one assignee's part (and the unassigned when the group is theirs), or every
    // assignee's and the unassigned's. Each its own index scan: an OR of them would make it a bitmap scan of the table.
    let tickets: Knex.QueryBuilder[];
    if (scopeColumn === 't.assignee_id' && target.groups.includes('scope')) {
      tickets = [inBucket().whereRaw('t.assignee_id = w.scope_id'), inBucket().whereRaw('w.scope_id is null').whereNull('t.assignee_id')];
    } else if (target.scope === 'assignee') {
      tickets = [inBucket()];
    } else {
      tickets = [inBucket().whereRaw('t.assignee_id = any(array(select id from app_user))'), inBucket().whereNull('t.assignee_id')];
    }
    const ranges = buckets.map((read) => bucketRange(read.bucket));
    return [
      knex.raw(
        `select ?::text as measure, w.scope_id::text, w.key, w.bucket, v.n, w.offsets::int[] as offsets,
                array(select v.sorted[o + 1] from unnest(w.offsets::int[]) with ordinality as x(o, i) order by x.i) as picked
           from unnest(?::uuid[], ?::text[], ?::int[], ?::bigint[], ?::bigint[], ?::text[]) as w(scope_id, key, bucket, lower, upper, offsets),
                lateral (select count(*)::int as n, array_agg(x.seconds order by x.seconds) as sorted from (?) x) as v`,
        [
          measure,
          arrayOf(buckets.map((read) => read.scopeId)),
          arrayOf(buckets.map((read) => read.key)),
          arrayOf(buckets.map((read) => read.bucket)),
          arrayOf(ranges.map(([lower]) => lower)),
          arrayOf(ranges.map(([, upper]) => upper)),
          arrayOf(buckets.map((read) => `{${[...read.offsets].join(',')}}`)),
          knex.unionAll(tickets, true),
        ],
      ),
    ];
  });
  if (walks.length === 0) return;
  type Row = { measure: string; scope_id: string | null; key: string | null; bucket: number; n: number; offsets: number[]; picked: string[] };
  const byId = new Map(reads.map((read) => [bucketId(read, read.bucket), read]));
  for (const row of await em.execute<Row[]>(knex.raw(walks.map(() => '(?)').join(' union all '), walks))) {
    const read = byId.get(bucketId({ measure: row.measure, scopeId: row.scope_id, key: row.key }, Number(row.bucket)))!;
    read.n = Number(row.n);
    row.offsets.forEach((offset, i) => read.values.set(offset, Number(row.picked[i])));
  }
}

/**
 * Per duration, and per group (by groupKey), the summary of the duration over the window's period.
 * All `durations` are counted at the same instant (one month cover). Two statements whatever the
 * number of groups, and neither sends a histogram or a bucket's tickets to Node:
 *
 * 1. the histograms summed in SQL: whole UTC months from `roll_up`, with what it does not hold
 *    (rowsBeside) bound as rows, answering per group its count and sum and the buckets that hold a rank
 *    `percentile_cont` reads (rankedGroups);
 * 2. those buckets' tickets of the period in order, answering the values at those ranks (readBuckets).
 *
 * Each percentile is then interpolated as percentile_cont does. Null where the roll-up keeps no
 * histogram for this filter and grouping, or where a bucket's tickets are not as many as its
 * histogram says (drift, which `npm run reports:rebuild -- --check` finds): the caller then reads
 * the rows.
 */
export async function durationSummaries(
  em: EntityManager,
  window: ReportWindow,
  dimensions: readonly ReportDimension[],
  durations: readonly DurationMeasure[],
  percentiles: number[],
): Promise<Map<string, DurationSummary>[] | null> {
  const measures = durations.map((duration) => duration.measure);
  const target = targetOf(window, dimensions, measures);
  if (!target || KEY_COLUMNS[target.dimension] === undefined) return null;
  const knex = em.getKnex();
  const { months, rows: edges } = await monthCoverOf(em, window, durations[0].at);
  const parts: Knex.QueryBuilder[] = [];
  if (months) parts.push(knex.from((await rolledUpRows(em, target, measures, months)).query.as('r')).select('measure', 'scope_id', 'key', 'bucket', 'count', 'sum'));
  const beside = await rowsBeside(em, window, dimensions, target, durations, { months, edges });
  if (beside.length > 0) {
    const column = (name: keyof BucketRow) => arrayOf(beside.map((row) => row[name]));
    parts.push(
      knex
        .select('*')
        .from(
          knex.raw('unnest(?::text[], ?::uuid[], ?::text[], ?::int[], ?::float8[], ?::float8[]) as x(measure, scope_id, key, bucket, count, sum)', [
            ...(['measure', 'scopeId', 'key', 'bucket', 'count', 'sum'] as const).map(column),
          ]),
        ),
    );
  }
  const groups = parts.length > 0 ? await rankedGroups(em, parts, percentiles) : [];
  if (!groups) return null;

  // Per group and percentile, the bucket and offset of its two ranks; the offsets to read per bucket.
  const reads = new Map<string, BucketRead>();
  const plans = groups.map((group) => ({
    group,
    percentiles: percentiles.map((p) => {
      const { lower, upper, fraction } = percentileRanks(p, group.total);
      const ranks = [lower, upper].map((rank) => {
        const { bucket, before, n } = group.buckets.find((b) => rank >= b.before && rank < b.before + b.n)!;
        const read = reads.get(bucketId(group, bucket)) ?? { measure: group.measure, scopeId: group.scopeId, key: group.key, bucket, n: -1, offsets: new Set(), values: new Map() };
        read.offsets.add(rank - before);
        reads.set(bucketId(group, bucket), read);
        return { read, offset: rank - before, n };
      });
      return { p, ranks, fraction };
    }),
  }));
  await readBuckets(em, window, target, durations, [...reads.values()]);

  const summaries = durations.map(() => new Map<string, DurationSummary>());
  for (const { group, percentiles: planned } of plans) {
    const byPercentile = new Map<number, number | null>();
    for (const { p, ranks, fraction } of planned) {
      const found = ranks.map(({ read, offset, n }) => (read.n === n ? read.values.get(offset) : undefined));
      if (found.some((value) => value === undefined)) return null;
      byPercentile.set(p, interpolate(found[0]!, found[1]!, fraction));
    }
    const values = target.groups.map((from) => (from === 'scope' ? group.scopeId : group.key));
    summaries[measures.indexOf(group.measure)].set(groupKey(Object.fromEntries(values.map((value, i) => [`g${i}`, value])), dimensions), {
      groups: values,
      count: group.total,
      seconds: group.seconds,
      percentiles: byPercentile,
    });
  }
  return summaries;
}
