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

/** A ticket `t`'s days (UTC) with the tickets it created, resolved and reopened on each: its share of `report_scope_day`. */
export const SCOPE_DAYS_OF_TICKET = `
  select (t.created_at at time zone 'UTC')::date as day, 1 as created, 0 as resolved, 0 as reopened
  union all select (m at time zone 'UTC')::date, 0, 1, 0 from unnest(t.resolved_moves) as m
  union all select (m at time zone 'UTC')::date, 0, 0, 1 from unnest(t.reopened_moves) as m`;

/** `report_scope_day`'s rows as the tickets (their current business and assignee) and their timelines give them. */
export const REPORT_SCOPE_DAYS_FROM_TIMELINE = `
  select s.scope, s.id, x.day, sum(x.created)::integer, sum(x.resolved)::integer, sum(x.reopened)::integer from (
    select t.business_id, t.assignee_id, (t.created_at at time zone 'UTC')::date as day, 1 as created, 0 as resolved, 0 as reopened from ticket t
    union all
    select t.business_id, t.assignee_id, (e.created_at at time zone 'UTC')::date, 0, (e.to_status = 'RESOLVED')::integer, (${REOPEN})::integer
      from ticket_event e join ticket t on t.id = e.ticket_id
     where ${RESOLVED_MOVE} and (e.to_status = 'RESOLVED' or ${REOPEN})
  ) x cross join lateral (values ('B', x.business_id), ('A', x.assignee_id)) as s(scope, id)
  where s.id is not null
  group by s.scope, s.id, x.day`;

/** `report_tag_day`'s rows (tag, day, tickets created) as the tag links and their tickets give them. */
export const REPORT_TAG_DAYS_FROM_TAGS = `
  select tt.tag_id, (t.created_at at time zone 'UTC')::date, count(*)::integer from ticket_tag tt join ticket t on t.id = tt.ticket_id group by 1, 2`;

/** Every ticket's digests and the roll-ups, derived afresh from the timeline. */
export async function rebuildDigests(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    for (const statement of FILL_TICKET_DIGESTS) await tx.execute(statement);
    await tx.execute(`delete from report_hour`);
    await tx.execute(`insert into report_hour (hour, created, resolved, reopened) ${REPORT_HOURS_FROM_TIMELINE}`);
    await tx.execute(`delete from report_scope_day`);
    await tx.execute(`insert into report_scope_day (scope, scope_id, day, created, resolved, reopened) ${REPORT_SCOPE_DAYS_FROM_TIMELINE}`);
    await tx.execute(`delete from report_tag_day`);
    await tx.execute(`insert into report_tag_day (tag_id, day, created) ${REPORT_TAG_DAYS_FROM_TAGS}`);
  });
}

/**
 * Tickets whose digests differ from their timeline (at most `limit` ids), hours of `report_hour`,
 * business or assignee days of `report_scope_day` and tag days of `report_tag_day` that differ.
 */
export async function checkDigests(em: EntityManager, limit = 20): Promise<{ tickets: string[]; hours: string[]; scopeDays: string[]; tagDays: string[] }> {
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
  const scopeDays = await em.execute<{ key: string }[]>(
    `select concat_ws(' ', coalesce(a.scope, b.scope), coalesce(a.scope_id, b.scope_id), coalesce(a.day, b.day)) as key
       from (select * from report_scope_day where (created, resolved, reopened) <> (0, 0, 0)) a
       full join (${REPORT_SCOPE_DAYS_FROM_TIMELINE}) b(scope, scope_id, day, created, resolved, reopened)
         on (a.scope, a.scope_id, a.day) = (b.scope, b.scope_id, b.day)
      where (a.created, a.resolved, a.reopened) is distinct from (b.created, b.resolved, b.reopened)
      order by 1 limit ${limit}`,
  );
  const tagDays = await em.execute<{ key: string }[]>(
    `select concat_ws(' ', coalesce(a.tag_id, b.tag_id), coalesce(a.day, b.day)) as key
       from (select * from report_tag_day where created <> 0) a
       full join (${REPORT_TAG_DAYS_FROM_TAGS}) b(tag_id, day, created) on (a.tag_id, a.day) = (b.tag_id, b.day)
      where a.created is distinct from b.created
      order by 1 limit ${limit}`,
  );
  return {
    tickets: tickets.map((row) => row.id),
    hours: hours.map((row) => new Date(row.hour).toISOString()),
    scopeDays: scopeDays.map((row) => row.key),
    tagDays: tagDays.map((row) => row.key),
  };
}
