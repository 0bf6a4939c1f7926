import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { embedded, pgArray } from '../../shared/sql';
import { badInput } from '../../shared/errors';
import { ReportDimension, ReportInterval } from './report.inputs';
import type { TicketVolumeReport, VolumePoint } from './report.payloads';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, type ReportWindow } from './report-window';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

const UNIT: Record<ReportInterval, string> = { [ReportInterval.DAY]: 'day', [ReportInterval.WEEK]: 'week', [ReportInterval.MONTH]: 'month' };
const MAX_BUCKETS = 1_000;

const MOVE_COUNTS = `count(*) filter (where e.to_status = 'RESOLVED') as resolved, count(*) filter (where ${REOPEN}) as reopened`;

/** Resolutions and reopens as `ticket_event e`, joined to their tickets only when a filter needs them. */
function resolutionMoves(em: EntityManager, window: ReportWindow): Knex.QueryBuilder {
  if (!narrowsTickets(window)) return em.getKnex()('ticket_event as e').whereRaw(RESOLVED_MOVE);
  return filteredTickets(em, window).join('ticket_event as e', 'e.ticket_id', 't.id').whereRaw(RESOLVED_MOVE);
}

/** Tickets created in the period, per group. */
export async function ticketVolume(
  em: EntityManager,
  window: ReportWindow,
  dimensions: ReportDimension[],
  interval: ReportInterval | null,
): Promise<TicketVolumeReport> {
  const rows = await em.execute<(GroupedRow & { count: string })[]>(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', window), dimensions).count({ count: '*' }));
  const described = await describeGroups(em, dimensions, rows);
  const groups = rows.map((row) => ({ group: described.get(groupKey(row, dimensions))!, count: Number(row.count) })).sort((a, b) => b.count - a.count);
  // Under TAG a ticket counts once per tag, so only then does the total need a count of its own.
  const total = dimensions.includes(ReportDimension.TAG)
    ? Number((await em.execute<{ total: string }[]>(inPeriod(filteredTickets(em, window), 't.created_at', window).count({ total: '*' })))[0].total)
    : groups.reduce((sum, g) => sum + g.count, 0);
  return { total, groups, series: interval ? await series(em, window, interval) : null };
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
  // The bucket of each row by a binary search among the bucket starts: no time zone arithmetic per row.
  const starts = pgArray(buckets.map((start) => new Date(start).toISOString()));
  const bucketOf = (column: string) => knex.raw(`width_bucket(${column}, ?::timestamptz[]) as bucket`, [starts]);

  const created = await em.execute<{ bucket: number; n: string }[]>(
    inPeriod(filteredTickets(em, window), 't.created_at', window).select(bucketOf('t.created_at')).count({ n: '*' }).groupBy('bucket'),
  );
  const moves = await em.execute<{ bucket: number; resolved: string; reopened: string }[]>(
    inPeriod(resolutionMoves(em, window), 'e.created_at', window).select(bucketOf('e.created_at')).select(knex.raw(MOVE_COUNTS)).groupBy('bucket'),
  );
  // Open at the end of the period: open now, undone by everything after the period.
  const [after] = await em.execute<{ open_now: string; created: string; resolved: string; reopened: string }[]>(
    knex.raw(
      `select (${embedded(filteredTickets(em, window).whereNotIn('t.status', ['RESOLVED', 'CLOSED']).count('*'))}) as open_now,
              (${embedded(filteredTickets(em, window).where('t.created_at', '>=', window.to).count('*'))}) as created,
              r.resolved, r.reopened
         from (${embedded(resolutionMoves(em, window).where('e.created_at', '>=', window.to).select(knex.raw(MOVE_COUNTS)))}) r`,
    ),
  );

  const byBucket = <T extends { bucket: number }>(rows: T[]) => new Map(rows.map((row) => [Number(row.bucket), row]));
  const createdBy = byBucket(created);
  const movesBy = byBucket(moves);
  let backlog = Number(after.open_now) - Number(after.created) + Number(after.resolved) - Number(after.reopened);
  const points: VolumePoint[] = [];
  for (let index = buckets.length; index >= 1; index -= 1) {
    const c = Number(createdBy.get(index)?.n ?? 0);
    const m = movesBy.get(index);
    const resolved = Number(m?.resolved ?? 0);
    points.push({ start: new Date(buckets[index - 1]), created: c, resolved, backlog });
    backlog = backlog - c + resolved - Number(m?.reopened ?? 0);
  }
  return points.reverse();
}
