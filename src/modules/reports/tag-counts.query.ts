import type { EntityManager } from '@mikro-orm/postgresql';
import { inPeriod, type ReportWindow } from './report-window';
import { DAY, rollUpCover, utcDay } from './roll-up-cover';

/**
 * Tickets created in the period per tag (`g0` the tag id; `count`), over all tickets: whole days from
 * `report_tag_day`, the partial days at the period's edges from the tag links (each carries its
 * ticket's creation time). With `untagged`, also the tickets without tags (`g0` null), from their index.
 */
export async function tagCountsOfAllTickets(em: EntityManager, window: ReportWindow, { untagged = false } = {}): Promise<{ g0: string | null; count: string }[]> {
  const knex = em.getKnex();
  const cover = rollUpCover(window.from, window.to, [], DAY);
  const parts = cover.rows.map(([from, to]) => inPeriod(knex('ticket_tag as tt'), 'tt.ticket_created_at', { from, to }).select('tt.tag_id as tag_id', knex.raw('1 as n')));
  if (cover.units) {
    parts.push(knex('report_tag_day').where('day', '>=', utcDay(cover.units.from)).where('day', '<', utcDay(cover.units.to)).select('tag_id', 'created as n'));
  }
  const tagged = knex.select('x.tag_id as g0').sum({ count: 'x.n' }).from(knex.unionAll(parts, true).as('x')).groupBy('x.tag_id');
  const queries = [tagged];
  if (untagged) queries.push(inPeriod(knex('ticket as t'), 't.created_at', window).whereRaw(`t.tag_ids = '{}'`).select(knex.raw('null::uuid as g0')).count({ count: '*' }));
  const rows = await em.execute<{ g0: string | null; count: string }[]>(knex.unionAll(queries, true));
  return rows.filter((row) => Number(row.count) > 0);
}
