import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../shared/sql';
import { badInput } from '../../shared/errors';
import { ReportDimension, ReportInterval } from './report.inputs';
import type { TicketVolumeReport, VolumePoint } from './report.payloads';
import { optionalIdOf } from '../../shared/validation';
import { DAY, HOUR, rollUpCover } from './roll-up-cover';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, type ReportWindow } from './report-window';
import { tagCountsOfAllTickets } from './tag-counts.query';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

const UNIT: Record<ReportInterval, string> = { [ReportInterval.DAY]: 'day', [ReportInterval.WEEK]: 'week', [ReportInterval.MONTH]: 'month' };
const MAX_BUCKETS = 1_000;

/** The end of "after the period" for the backlog walk: later than anything recorded. */
const END = new Date('9999-12-31T00:00:00Z');

interface Counts {
  created: number;
  resolved: number;
  reopened: number;
}
type CountRow = { bucket: number } & Record<keyof Counts, string | number | null>;

/** A roll-up of tickets created, resolved and reopened per UTC unit (`at`: the SQL instant of a row's unit). */
interface RollUp {
  table: string;
  unit: number;
  at: string;
  /** The column bounds compare with, and a bound as that column's value. */
  key: string;
  bound: (instant: Date) => Date | string;
  where: Record<string, string>;
}

const ALL_TICKETS: RollUp = { table: 'report_hour', unit: HOUR, at: 'hour', key: 'hour', bound: (instant) => instant, where: {} };

/** The roll-up of one business's or one agent's tickets, when the filter picks exactly that. */
function scopeRollUp(window: ReportWindow): RollUp | null {
  const fields = Object.entries(window.filter ?? {}).filter(([, value]) => value !== null && value !== undefined);
  if (fields.length !== 1 || !['businessId', 'assigneeId'].includes(fields[0][0])) return null;
  const id = fields[0][0] === 'businessId' ? optionalIdOf(window.filter!.businessId, 'Business', 'filter.businessId') : optionalIdOf(window.filter!.assigneeId, 'User', 'filter.assigneeId');
  return {
    table: 'report_scope_day',
    unit: DAY,
    at: `(day::timestamp at time zone 'UTC')`,
    key: 'day',
    bound: (instant) => instant.toISOString().slice(0, 10),
    where: { scope: fields[0][0] === 'businessId' ? 'B' : 'A', scope_id: id! },
  };
}

/**
 * Tickets created, resolved and reopened in [from, to), per bucket (numbered from 1 among `starts`,
 * as width_bucket does: by binary search, no time zone arithmetic per row). Unfiltered, or filtered
 * to one business or one agent, whole units come from a roll-up (`report_hour`, `report_scope_day`)
 * and only the rest from the rows; otherwise all from the filtered tickets and the resolution and
 * reopen instants on their rows.
 */
async function countsByBucket(em: EntityManager, window: ReportWindow, starts: Date[], from: Date, to: Date): Promise<Map<number, Counts>> {
  const knex = em.getKnex();
  const bucketOf = (column: string) => knex.raw(`width_bucket(${column}, ?::timestamptz[]) as bucket`, [pgArray(starts.map((start) => start.toISOString()))]);
  const tickets = () => filteredTickets(em, window);
  const queries: Knex.QueryBuilder[] = [];
  const rollUp = narrowsTickets(window) ? scopeRollUp(window) : ALL_TICKETS;
  if (!rollUp) {
    queries.push(inPeriod(tickets(), 't.created_at', { from, to }).select(bucketOf('t.created_at'), knex.raw('count(*) as created, 0 as resolved, 0 as reopened')).groupBy('bucket'));
    queries.push(
      inPeriod(tickets().joinRaw('cross join unnest(t.resolved_moves) as m(at)'), 'm.at', { from, to })
        .select(bucketOf('m.at'), knex.raw('0 as created, count(*) as resolved, 0 as reopened'))
        .groupBy('bucket'),
    );
    // Few tickets were ever reopened: their own index finds them.
    queries.push(
      inPeriod(tickets().whereRaw('cardinality(t.reopened_moves) > 0').joinRaw('cross join unnest(t.reopened_moves) as m(at)'), 'm.at', { from, to })
        .select(bucketOf('m.at'), knex.raw('0 as created, 0 as resolved, count(*) as reopened'))
        .groupBy('bucket'),
    );
  } else {
    const cover = rollUpCover(from, to, starts, rollUp.unit);
    if (cover.units) {
      const { from: first, to: last, except } = cover.units;
      queries.push(
        knex(rollUp.table)
          .where(rollUp.where)
          .where(rollUp.key, '>=', rollUp.bound(first))
          .where(rollUp.key, '<', rollUp.bound(last))
          .whereNotIn(rollUp.key, except.map(rollUp.bound))
          .select(bucketOf(rollUp.at), knex.raw('sum(created) as created, sum(resolved) as resolved, sum(reopened) as reopened'))
          .groupBy('bucket'),
      );
    }
    // Units cover the whole period when it starts and ends on a unit and buckets start on one.
    if (cover.rows.length > 0) {
      const inRows = (column: string) => (q: Knex.QueryBuilder) => {
        for (const [start, end] of cover.rows) q.orWhere((r) => inPeriod(r, column, { from: start, to: end }));
      };
      const entries: Knex.QueryBuilder = narrowsTickets(window) ? tickets().join('ticket_event as e', 'e.ticket_id', 't.id') : knex('ticket_event as e');
      queries.push(tickets().where(inRows('t.created_at')).select(bucketOf('t.created_at'), knex.raw('count(*) as created, 0 as resolved, 0 as reopened')).groupBy('bucket'));
      queries.push(
        entries
          .whereRaw(RESOLVED_MOVE)
          .where(inRows('e.created_at'))
          .select(bucketOf('e.created_at'), knex.raw(`0 as created, count(*) filter (where e.to_status = 'RESOLVED') as resolved, count(*) filter (where ${REOPEN}) as reopened`))
          .groupBy('bucket'),
      );
    }
  }
  const counts = new Map<number, Counts>();
  for (const query of queries) {
    for (const row of await em.execute<CountRow[]>(query)) {
      const sum = counts.get(Number(row.bucket)) ?? { created: 0, resolved: 0, reopened: 0 };
      for (const key of ['created', 'resolved', 'reopened'] as const) sum[key] += Number(row[key] ?? 0);
      counts.set(Number(row.bucket), sum);
    }
  }
  return counts;
}

/** Tickets created in the period, per group. */
export async function ticketVolume(
  em: EntityManager,
  window: ReportWindow,
  dimensions: ReportDimension[],
  interval: ReportInterval | null,
): Promise<TicketVolumeReport> {
  const narrowed = narrowsTickets(window);
  const rows: (GroupedRow & { count: string })[] =
    !narrowed && dimensions.length === 1 && dimensions[0] === ReportDimension.TAG
      ? await tagCountsOfAllTickets(em, window)
      : await em.execute(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', window), dimensions).count({ count: '*' }));
  const described = await describeGroups(em, dimensions, rows);
  const groups = rows.map((row) => ({ group: described.get(groupKey(row, dimensions))!, count: Number(row.count) })).sort((a, b) => b.count - a.count);
  const points = interval ? await series(em, window, interval) : null;
  // Under TAG a ticket counts once per tag, so only then does the total need a count of its own: the
  // series' (which counts from the period's start), or one of the period.
  let total = groups.reduce((sum, g) => sum + g.count, 0);
  if (dimensions.includes(ReportDimension.TAG)) {
    if (points) total = points.reduce((sum, point) => sum + point.created, 0);
    else if (narrowed) total = Number((await em.execute<{ total: string }[]>(inPeriod(filteredTickets(em, window), 't.created_at', window).count({ total: '*' })))[0].total);
    else total = (await countsByBucket(em, window, [window.from], window.from, window.to)).get(1)?.created ?? 0;
  }
  return { total, groups, series: points };
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
  const counts = await countsByBucket(em, window, [...buckets.map((start) => new Date(start)), window.to], window.from, END);
  const after = counts.get(buckets.length + 1);
  const [{ open }] = await em.execute<{ open: string }[]>(filteredTickets(em, window).whereNotIn('t.status', ['RESOLVED', 'CLOSED']).count({ open: '*' }));

  let backlog = Number(open) - (after?.created ?? 0) + (after?.resolved ?? 0) - (after?.reopened ?? 0);
  const points: VolumePoint[] = [];
  for (let index = buckets.length; index >= 1; index -= 1) {
    const { created, resolved, reopened } = counts.get(index) ?? { created: 0, resolved: 0, reopened: 0 };
    points.push({ start: new Date(buckets[index - 1]), created, resolved, backlog });
    backlog = backlog - created + resolved - reopened;
  }
  return points.reverse();
}
