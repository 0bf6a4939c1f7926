import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../shared/sql';
import { filteredTickets, inPeriod, narrowsTickets, oneScope, type ReportWindow } from './report-window';
import { DAY, HOUR, rollUpCover, utcDay } from './roll-up-cover';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

export interface Counts {
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
  const one = oneScope(window);
  if (!one) return null;
  return {
    table: 'report_scope_day',
    unit: DAY,
    at: `(day::timestamp at time zone 'UTC')`,
    key: 'day',
    bound: utcDay,
    where: { scope: one.scope, scope_id: one.id },
  };
}

/**
 * Tickets created, resolved and reopened in [from, to), per bucket (numbered from 1 among `starts`,
 * as width_bucket does: by binary search, no time zone arithmetic per row). Unfiltered, or filtered
 * to one business or one agent, whole units come from a roll-up (`report_hour`, `report_scope_day`)
 * and only the rest from the rows; otherwise all from the filtered tickets and the resolution and
 * reopen instants on their rows.
 */
export async function countsByBucket(em: EntityManager, window: ReportWindow, starts: Date[], from: Date, to: Date): Promise<Map<number, Counts>> {
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
      // One range scan per stretch (ORed ranges would make the planner visit the heap), united.
      const inRows = (q: () => Knex.QueryBuilder, column: string) =>
        knex.unionAll(cover.rows.map(([start, end]) => inPeriod(q(), column, { from: start, to: end })), true);
      const created = inRows(() => tickets().select('t.created_at as at'), 't.created_at');
      queries.push(knex.from(created.as('c')).select(bucketOf('c.at'), knex.raw('count(*) as created, 0 as resolved, 0 as reopened')).groupBy('bucket'));
      const moves = knex.from(
        inRows(() => knex('ticket_event as e').whereRaw(RESOLVED_MOVE).select('e.ticket_id', 'e.created_at', 'e.from_status', 'e.to_status'), 'e.created_at').as('e'),
      );
      if (narrowsTickets(window)) moves.join(tickets().select('t.id').as('t'), 't.id', 'e.ticket_id');
      queries.push(
        moves
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
