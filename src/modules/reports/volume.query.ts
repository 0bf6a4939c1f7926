import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { ReportDimension, ReportInterval } from './report.inputs';
import type { TicketVolumeReport, VolumePoint } from './report.payloads';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, type ReportWindow } from './report-window';
import { openTicketsOfScope, scopeGroupCounts } from './scope-month-counts.query';
import { tagCountsOfAllTickets } from './tag-counts.query';
import { countsByBucket } from './volume-counts.query';

const UNIT: Record<ReportInterval, string> = { [ReportInterval.DAY]: 'day', [ReportInterval.WEEK]: 'week', [ReportInterval.MONTH]: 'month' };
const MAX_BUCKETS = 1_000;

/** The end of "after the period" for the backlog walk: later than anything recorded. */
const END = new Date('9999-12-31T00:00:00Z');
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
      ? await tagCountsOfAllTickets(em, window, { untagged: true })
      : ((await scopeGroupCounts(em, window, dimensions)) ??
        (await em.execute(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', window), dimensions).count({ count: '*' }))));
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
  const open =
    (await openTicketsOfScope(em, window)) ??
    Number((await em.execute<{ open: string }[]>(filteredTickets(em, window).whereNotIn('t.status', ['RESOLVED', 'CLOSED']).count({ open: '*' })))[0].open);

  let backlog = open - (after?.created ?? 0) + (after?.resolved ?? 0) - (after?.reopened ?? 0);
  const points: VolumePoint[] = [];
  for (let index = buckets.length; index >= 1; index -= 1) {
    const { created, resolved, reopened } = counts.get(index) ?? { created: 0, resolved: 0, reopened: 0 };
    points.push({ start: new Date(buckets[index - 1]), created, resolved, backlog });
    backlog = backlog - created + resolved - reopened;
  }
  return points.reverse();
}
