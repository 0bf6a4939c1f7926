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
const REPORT_HOURS_FROM_TIMELINE = `
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
const REPORT_SCOPE_DAYS_FROM_TIMELINE = `
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
const REPORT_TAG_DAYS_FROM_TAGS = `
  select tt.tag_id, (t.created_at at time zone 'UTC')::date, count(*)::integer from ticket_tag tt join ticket t on t.id = tt.ticket_id group by 1, 2`;

/** Each roll-up: its key and count columns, and its rows as the timeline (or the tag links) give them. */
const ROLL_UPS = [
  { table: 'report_hour', keys: ['hour'], counts: ['created', 'resolved', 'reopened'], derived: REPORT_HOURS_FROM_TIMELINE },
  { table: 'report_scope_day', keys: ['scope', 'scope_id', 'day'], counts: ['created', 'resolved', 'reopened'], derived: REPORT_SCOPE_DAYS_FROM_TIMELINE },
  { table: 'report_tag_day', keys: ['tag_id', 'day'], counts: ['created'], derived: REPORT_TAG_DAYS_FROM_TAGS },
];

/** Statements that fill each (empty) roll-up from the timeline: for the migration, the seed and the rebuild. */
export const FILL_ROLL_UPS = ROLL_UPS.map(({ table, keys, counts, derived }) => `insert into ${table} (${[...keys, ...counts].join(', ')}) ${derived}`);

/** Every ticket's digests and the roll-ups, derived afresh from the timeline. */
export async function rebuildDigests(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    for (const statement of FILL_TICKET_DIGESTS) await tx.execute(statement);
    for (const { table } of ROLL_UPS) await tx.execute(`delete from ${table}`);
    for (const statement of FILL_ROLL_UPS) await tx.execute(statement);
  });
}

/** Keys (as text) of a roll-up's rows that differ from what the timeline gives; rows of zeros count as absent. */
async function differingRows(em: EntityManager, { table, keys, counts, derived }: (typeof ROLL_UPS)[number], limit: number): Promise<string[]> {
  const list = (alias: string, columns: string[]) => columns.map((column) => `${alias}.${column}`).join(', ');
  const rows = await em.execute<{ key: string }[]>(
    `select concat_ws(' ', ${keys.map((key) => `coalesce(a.${key}, b.${key})`).join(', ')}) as key
       from (select * from ${table} where (${counts.join(', ')}) <> (${counts.map(() => '0').join(', ')})) a
       full join (${derived}) b(${[...keys, ...counts].join(', ')}) on (${list('a', keys)}) = (${list('b', keys)})
      where (${list('a', counts)}) is distinct from (${list('b', counts)})
      order by 1 limit ${limit}`,
  );
  return rows.map((row) => row.key);
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
  const [hours, scopeDays, tagDays] = await Promise.all(ROLL_UPS.map((rollUp) => differingRows(em, rollUp, limit)));
  return { tickets: tickets.map((row) => row.id), hours, scopeDays, tagDays };
}
