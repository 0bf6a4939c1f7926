import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { pgArray } from '../../shared/sql';
import { MOVE_INSTANTS, monthCoverOf } from './month-cover.query';
import { ReportDimension, ReportInterval } from './report.inputs';
import type { TicketVolumeReport, VolumePoint } from './report.payloads';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, type ReportWindow } from './report-window';
import { monthAround } from './roll-up-cover';
import { periodSums, rolledUp, targetOf } from './roll-up.query';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

const UNIT: Record<ReportInterval, string> = { [ReportInterval.DAY]: 'day', [ReportInterval.WEEK]: 'week', [ReportInterval.MONTH]: 'month' };
const MAX_BUCKETS = 1_000;
const FINISHED = ['RESOLVED', 'CLOSED'];

/** The end of "after the period" for the backlog walk: later than anything recorded. */
const END = new Date('9999-12-31T00:00:00Z');

/** Tickets created in [range) per group (`count`), from the rows. */
function createdOfRows(em: EntityManager, window: ReportWindow, dimensions: readonly ReportDimension[], range: { from: Date; to: Date }): Knex.QueryBuilder {
  return groupBy(inPeriod(filteredTickets(em, window), 't.created_at', range), dimensions).count({ created: '*' });
}

/** Tickets created in the period per group (`created`): from the roll-up where it keeps the grouping, else from the rows. */
async function createdPerGroup(em: EntityManager, window: ReportWindow, dimensions: readonly ReportDimension[]): Promise<GroupedRow[]> {
  return (
    (await periodSums(em, window, dimensions, ['created'], 't.created_at', (range) => createdOfRows(em, window, dimensions, range))) ??
    (await em.execute<GroupedRow[]>(createdOfRows(em, window, dimensions, window)))
  );
}

/** Tickets created in the period, per group. */
export async function ticketVolume(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[], interval: ReportInterval | null): Promise<TicketVolumeReport> {
  const rows = await createdPerGroup(em, window, dimensions);
  const described = await describeGroups(em, dimensions, rows);
  const groups = rows
    .filter((row) => Number(row.created) > 0)
    .map((row) => ({ key: groupKey(row, dimensions), group: described.get(groupKey(row, dimensions))!, count: Number(row.created) }))
    // Ties in the order of their keys, whichever way the counts were read.
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ group, count }) => ({ group, count }));
  const points = interval ? await series(em, window, interval) : null;
  // Under TAG a ticket counts once per tag, so only then does the total need a count of its own.
  let total = groups.reduce((sum, g) => sum + g.count, 0);
  if (dimensions.includes(ReportDimension.TAG)) total = points ? points.reduce((sum, point) => sum + point.created, 0) : Number((await createdPerGroup(em, window, []))[0].created);
  return { total, groups, series: points };
}

interface Counts {
  created: number;
  resolved: number;
  reopened: number;
}

const isMonthStart = (instant: Date) => instant.getTime() === monthAround(instant).start.getTime();

/** Created, resolved and reopened in [range) per bucket (`bucket`, numbered from 1 among `starts`, as width_bucket does), from the rows. */
function countsOfRows(em: EntityManager, window: ReportWindow, starts: Date[], range: { from: Date; to: Date }): Knex.QueryBuilder[] {
  const knex = em.getKnex();
  const bucketOf = (column: string) => knex.raw(`width_bucket(${column}, ?::timestamptz[]) as bucket`, [pgArray(starts.map((start) => start.toISOString()))]);
  const created = inPeriod(filteredTickets(em, window), 't.created_at', range).select(bucketOf('t.created_at'), knex.raw('count(*) as created, 0 as resolved, 0 as reopened'));
  const moves = inPeriod(knex('ticket_event as e').whereRaw(RESOLVED_MOVE), 'e.created_at', range);
  if (narrowsTickets(window)) moves.join(filteredTickets(em, window).select('t.id').as('t'), 't.id', 'e.ticket_id');
  moves.select(bucketOf('e.created_at'), knex.raw(`0 as created, count(*) filter (where e.to_status = 'RESOLVED') as resolved, count(*) filter (where ${REOPEN}) as reopened`));
  return [created.groupBy('bucket'), moves.groupBy('bucket')];
}

/**
 * Created, resolved and reopened per bucket of `starts` (the period's buckets, then one from its end
 * on). Where the period's buckets start on UTC months, whole months come from the roll-up and only
 * the partial months at the period's edges from the rows; otherwise (days, weeks, months of a time
 * zone off UTC) the period is read from the rows, and what follows it from whole months of the roll-up.
 */
async function countsByBucket(em: EntityManager, window: ReportWindow, starts: Date[]): Promise<Map<number, Counts>> {
  const counts = new Map<number, Counts>();
  const add = (bucket: number, part: Partial<Record<keyof Counts, unknown>>) => {
    const sum = counts.get(bucket) ?? { created: 0, resolved: 0, reopened: 0 };
    for (const key of ['created', 'resolved', 'reopened'] as const) sum[key] += Number(part[key] ?? 0);
    counts.set(bucket, sum);
  };
  const measures = ['created', 'resolved_move', 'reopen'];
  const target = targetOf(window, [], measures);
  // The first month that starts at or after the period's end: from there on, whole months of the roll-up.
  const toMonth = isMonthStart(window.to) ? window.to : monthAround(window.to).next;
  const rows: [Date, Date][] = [];
  let rolled: { first: Date; skip: { from: Date; to: Date } | null } | null = null;
  if (target && starts.slice(1, -1).every(isMonthStart)) {
    const { months, rows: edges } = await monthCoverOf(em, window, 't.created_at', MOVE_INSTANTS);
    rows.push(...edges);
    // The month the period ends in, when it does not count whole (something happened in it after the period).
    if (!(months && months.last >= toMonth)) rows.push([window.to, toMonth]);
    rolled = months ? { first: months.first, skip: months.last < toMonth ? { from: months.last, to: toMonth } : null } : { first: toMonth, skip: null };
  } else if (target) {
    rows.push([window.from, toMonth]);
    rolled = { first: toMonth, skip: null };
  } else {
    rows.push([window.from, END]);
  }
  if (target && rolled) {
    // A month before the first bucket's start is the period's first, counted whole as nothing happened in it before the period.
    const bucketOfMonth = (month: Date) => Math.max(1, starts.filter((start) => start <= month).length);
    const names: Record<string, keyof Counts> = { created: 'created', resolved_move: 'resolved', reopen: 'reopened' };
    for (const s of await rolledUp(em, target, measures, { first: rolled.first, last: END }, { byMonth: true })) {
      const month = new Date(`${s.month}T00:00:00Z`);
      if (rolled.skip && month >= rolled.skip.from && month < rolled.skip.to) continue;
      add(bucketOfMonth(month), { [names[s.measure]]: s.count });
    }
  }
  for (const [from, to] of rows) {
    if (!(from < to)) continue;
    for (const query of countsOfRows(em, window, starts, { from, to })) for (const row of await em.execute<GroupedRow[]>(query)) add(Number(row.bucket), row);
  }
  return counts;
}

/** Tickets open now (neither resolved nor closed): from the roll-up's count by status where it keeps it, else from the rows. */
async function openNow(em: EntityManager, window: ReportWindow): Promise<number> {
  const target = targetOf(window, [ReportDimension.STATUS], ['created']);
  if (target) return (await rolledUp(em, target, ['created'], null)).filter((s) => !FINISHED.includes(s.groups[0]!)).reduce((sum, s) => sum + s.count, 0);
  return Number((await em.execute<{ open: string }[]>(filteredTickets(em, window).whereNotIn('t.status', FINISHED).count({ open: '*' })))[0].open);
}

/**
 * Created, resolved and backlog per bucket. The backlog is walked back from now: open now, less what
 * was created since, plus what was resolved since, less what was reopened since — all counted from
 * tickets and timeline entries, so the series needs no snapshot of the past.
 */
async function series(em: EntityManager, window: ReportWindow, interval: ReportInterval): Promise<VolumePoint[]> {
  const knex = em.getKnex();
  const unit = UNIT[interval];
  const tz = window.timeZone;
  const [{ buckets }] = await em.execute<{ buckets: Date[] }[]>(
    knex.raw(
      `select array(select b at time zone ? from generate_series(date_trunc(?, ?::timestamptz at time zone ?), ?::timestamptz at time zone ?, ('1 ' || ?)::interval) b
                    where b at time zone ? < ?::timestamptz limit ${MAX_BUCKETS + 1}) as buckets`,
      [tz, unit, window.from, tz, window.to, tz, unit, tz, window.to],
    ),
  );
  if (buckets.length > MAX_BUCKETS) {
    throw badInput(`A series has at most ${MAX_BUCKETS} buckets; choose a longer interval or a shorter period.`, 'interval');
  }
  // The period's buckets, and one more from its end on: what happened since, to walk the backlog back from now.
  const counts = await countsByBucket(em, window, [...buckets.map((start) => new Date(start)), window.to]);
  const after = counts.get(buckets.length + 1);
  let backlog = (await openNow(em, window)) - (after?.created ?? 0) + (after?.resolved ?? 0) - (after?.reopened ?? 0);
  const points: VolumePoint[] = [];
  for (let index = buckets.length; index >= 1; index -= 1) {
    const { created, resolved, reopened } = counts.get(index) ?? { created: 0, resolved: 0, reopened: 0 };
    points.push({ start: new Date(buckets[index - 1]), created, resolved, backlog });
    backlog = backlog - created + resolved - reopened;
  }
  return points.reverse();
}

