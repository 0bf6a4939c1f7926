import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inPeriod, type ReportWindow } from './report-window';

/** The tag links `tt` of all tickets created in the period (each link carries its ticket's creation time). */
export function tagLinksOfAllTickets(em: EntityManager, window: ReportWindow): Knex.QueryBuilder {
  return inPeriod(em.getKnex()('ticket_tag as tt'), 'tt.ticket_created_at', window);
}

/**
 * Tickets created in the period per tag (`g0` the tag id, null for tickets without tags; `count`),
 * over all tickets: from the tag links, which carry their ticket's creation time, and the index of
 * untagged tickets, instead of every ticket's tags.
 */
export async function tagCountsOfAllTickets(em: EntityManager, window: ReportWindow): Promise<{ g0: string | null; count: string }[]> {
  const knex = em.getKnex();
  const tagged = tagLinksOfAllTickets(em, window).select('tt.tag_id as g0').count({ count: '*' }).groupBy('tt.tag_id');
  const untagged = inPeriod(knex('ticket as t'), 't.created_at', window).whereRaw(`t.tag_ids = '{}'`).select(knex.raw('null::uuid as g0')).count({ count: '*' });
  const rows = await em.execute<{ g0: string | null; count: string }[]>(knex.unionAll([tagged, untagged], true));
  return rows.filter((row) => Number(row.count) > 0);
}
