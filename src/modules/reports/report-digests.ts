import type { EntityManager } from '@mikro-orm/postgresql';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

/**
 * The digests of the timeline that reports read (see Migration20261127060000_report_digests): the
 * database's triggers keep them as entries and tags are written; the statements here derive them
 * from scratch, to fill them in bulk and to check that the triggers kept them exact.
 */

/** Each ticket digest column, as the timeline and tags of ticket `t` give it. */
export const TICKET_DIGESTS = {
  tag_ids: `coalesce((select array_agg(tt.tag_id order by tt.tag_id) from ticket_tag tt where tt.ticket_id = t.id), '{}')`,
  resolved_moves: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and ${RESOLVED_MOVE} and e.to_status = 'RESOLVED'), '{}')`,
  reopened_moves: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and ${RESOLVED_MOVE} and ${REOPEN}), '{}')`,
  assigned_at: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}')`,
  assigned_to: `coalesce((select array_agg(e.assigned_to_id order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}')`,
} as const;

/** Statements that set every ticket's digests from its timeline and tags, and each tag link's ticket creation time. */
export const FILL_TICKET_DIGESTS = [
  `update ticket t set ${Object.entries(TICKET_DIGESTS)
    .map(([column, expression]) => `${column} = ${expression}`)
    .join(', ')}`,
  'update ticket_tag tt set ticket_created_at = t.created_at from ticket t where t.id = tt.ticket_id',
];

/** `report_hour`'s rows (hour, created, resolved, reopened) as the tickets and their timelines give them. */
export const REPORT_HOURS_FROM_TIMELINE = `
  select hour, sum(created)::integer, sum(resolved)::integer, sum(reopened)::integer from (
    select date_trunc('hour', created_at, 'UTC') as hour, 1 as created, 0 as resolved, 0 as reopened from ticket
    union all
    select date_trunc('hour', e.created_at, 'UTC'), 0, (e.to_status = 'RESOLVED')::integer, (${REOPEN})::integer from ticket_event e
      where ${RESOLVED_MOVE} and (e.to_status = 'RESOLVED' or ${REOPEN})
  ) x group by hour`;

/** Every ticket's digests and `report_hour`, derived afresh from the timeline. */
export async function rebuildDigests(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    for (const statement of FILL_TICKET_DIGESTS) await tx.execute(statement);
    await tx.execute(`delete from report_hour`);
    await tx.execute(`insert into report_hour (hour, created, resolved, reopened) ${REPORT_HOURS_FROM_TIMELINE}`);
  });
}

/** Tickets whose digests differ from their timeline (at most `limit` ids) and hours of `report_hour` that differ. */
export async function checkDigests(em: EntityManager, limit = 20): Promise<{ tickets: string[]; hours: string[] }> {
  const differs = Object.entries(TICKET_DIGESTS).map(([column, expression]) =>
    column === 'tag_ids' ? `array(select unnest(t.tag_ids) order by 1) is distinct from ${expression}` : `t.${column} is distinct from ${expression}`,
  );
  const tickets = await em.execute<{ id: string }[]>(
    `select t.id from ticket t where ${differs.join(' or ')}
        or exists (select 1 from ticket_tag tt where tt.ticket_id = t.id and tt.ticket_created_at is distinct from t.created_at)
      order by t.id limit ${limit}`,
  );
  const hours = await em.execute<{ hour: string }[]>(
    `select coalesce(a.hour, b.hour) as hour from (select * from report_hour where (created, resolved, reopened) <> (0, 0, 0)) a
       full join (${REPORT_HOURS_FROM_TIMELINE}) b(hour, created, resolved, reopened) on a.hour = b.hour
      where (a.created, a.resolved, a.reopened) is distinct from (b.created, b.resolved, b.reopened)
      order by 1 limit ${limit}`,
  );
  return { tickets: tickets.map((row) => row.id), hours: hours.map((row) => new Date(row.hour).toISOString()) };
}
