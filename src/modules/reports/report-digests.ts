import type { EntityManager } from '@mikro-orm/postgresql';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

/**
 * The digests of the timeline that reports read (see Migration20261127060000_report_digests): the
 * database's triggers keep them as entries and tags are written; the statements here derive them
 * from scratch, to fill them in bulk and to check that the triggers kept them exact.
 */

/** Each ticket digest column, as the timeline and tags of ticket `t` give it. */
const TICKET_DIGESTS = {
  tag_ids: `coalesce((select array_agg(tt.tag_id order by tt.tag_id) from ticket_tag tt where tt.ticket_id = t.id), '{}')`,
  resolved_moves: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and ${RESOLVED_MOVE} and e.to_status = 'RESOLVED'), '{}')`,
  reopened_moves: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and ${RESOLVED_MOVE} and ${REOPEN}), '{}')`,
  assigned_at: `coalesce((select array_agg(e.created_at order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}')`,
  assigned_to: `coalesce((select array_agg(e.assigned_to_id order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}')`,
} as const;

/** Statements that set every ticket's digests from its timeline and tags, and each tag link's ticket creation time. */
const FILL_TICKET_DIGESTS = [
  `update ticket t set ${Object.entries(TICKET_DIGESTS)
    .map(([column, expression]) => `${column} = ${expression}`)
    .join(', ')}`,
  'update ticket_tag tt set ticket_created_at = t.created_at from ticket t where t.id = tt.ticket_id',
];

/** The UTC month of a ticket `t`'s creation. */
const CREATED_MONTH = `date_trunc('month', t.created_at at time zone 'UTC')::date`;

/** A ticket `t`'s business ('B') and assignee ('A'), as `s(scope, id)`: null where it has none. */
const SCOPES_OF_TICKET = `(values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id)`;

/** `report_hour`'s rows (hour, created, resolved, reopened) as the tickets and their timelines give them. */
const REPORT_HOURS_FROM_TIMELINE = `
  select hour, sum(created)::integer, sum(resolved)::integer, sum(reopened)::integer from (
    select date_trunc('hour', created_at, 'UTC') as hour, 1 as created, 0 as resolved, 0 as reopened from ticket
    union all
    select date_trunc('hour', e.created_at, 'UTC'), 0, (e.to_status = 'RESOLVED')::integer, (${REOPEN})::integer from ticket_event e
      where ${RESOLVED_MOVE} and (e.to_status = 'RESOLVED' or ${REOPEN})
  ) x group by hour`;

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

/** `report_assignment_day`'s rows (assignee, day, assignment entries naming them) as the timeline gives them. */
const REPORT_ASSIGNMENT_DAYS_FROM_TIMELINE = `
  select assigned_to_id, (created_at at time zone 'UTC')::date, count(*)::integer from ticket_event where assigned_to_id is not null group by 1, 2`;

/** `report_title_month`'s rows (title, spelling, month, tickets created) as the tickets give them. */
const REPORT_TITLE_MONTHS_FROM_TICKETS = `
  select title_key, spelling_key, date_trunc('month', created_at at time zone 'UTC')::date, count(*)::integer from ticket group by 1, 2, 3`;

/** The scope id under which report_scope_month counts the tickets without an assignee (scope 'U'). */
export const NO_ASSIGNEE = '00000000-0000-0000-0000-000000000000';

/** report_scope_month's counts, each 0 or 1 per ticket as SCOPE_MONTH_OF_TICKET gives them. */
const SCOPE_MONTH_COUNTS = ['created', 'untagged', 'fr_met', 'fr_breached', 'res_met', 'res_breached'];

/**
 * A ticket `t`'s rows of report_scope_month: its business's ('B', if any) and its assignee's ('A', or
 * 'U' with NO_ASSIGNEE), in the UTC month it was created, by its current status, priority and channel;
 * whether it has no tag, and its settled SLA outcomes (as slaCompliance counts them, less what depends
 * on now: a target still pending that falls due).
 */
const SCOPE_MONTH_OF_TICKET = `
  select s.scope, s.id as scope_id, date_trunc('month', t.created_at at time zone 'UTC')::date as month, t.status, t.priority, t.channel,
         1 as created, (t.tag_ids = '{}')::integer as untagged,
         (t.first_responded_at is not null and t.first_response_breached_at is null)::integer as fr_met,
         (t.first_response_breached_at is not null)::integer as fr_breached,
         (t.resolved_at is not null and t.resolution_breached_at is null)::integer as res_met,
         (t.resolution_breached_at is not null)::integer as res_breached
    from (values ('B', t.business_id), (case when t.assignee_id is null then 'U' else 'A' end, coalesce(t.assignee_id, '${NO_ASSIGNEE}'::uuid))) as s(scope, id)
   where s.id is not null`;

/** Tickets with a target not settled yet (neither met nor recorded as breached): ticket_sla_pending_idx holds them. Unqualified, for the index too. */
export const SLA_PENDING = '((first_responded_at is null and first_response_breached_at is null) or (resolved_at is null and resolution_breached_at is null))';

/** `report_scope_month`'s rows as the tickets give them (their tag ids are checked against the tag links on their own). */
const REPORT_SCOPE_MONTHS_FROM_TICKETS = `
  select x.scope, x.scope_id, x.month, x.status, x.priority, x.channel, ${SCOPE_MONTH_COUNTS.map((column) => `sum(x.${column})::integer`).join(', ')}
    from ticket t cross join lateral (${SCOPE_MONTH_OF_TICKET}) as x
   group by 1, 2, 3, 4, 5, 6`;

/** `report_scope_tag_month`'s rows as the tag links and their tickets give them. */
const REPORT_SCOPE_TAG_MONTHS_FROM_TAGS = `
  select s.scope, s.id, ${CREATED_MONTH}, tt.tag_id, count(*)::integer
    from ticket_tag tt join ticket t on t.id = tt.ticket_id cross join lateral ${SCOPES_OF_TICKET}
   where s.id is not null
   group by 1, 2, 3, 4`;

/** `report_business_assignment_month`'s rows (business, month, assignee, assignment entries) as the timeline and the tickets' businesses give them. */
const REPORT_BUSINESS_ASSIGNMENT_MONTHS_FROM_TIMELINE = `
  select t.business_id, date_trunc('month', e.created_at at time zone 'UTC')::date, e.assigned_to_id, count(*)::integer
    from ticket_event e join ticket t on t.id = e.ticket_id
   where e.assigned_to_id is not null and t.business_id is not null
   group by 1, 2, 3`;

/** `report_title_total`'s rows (title, tickets of all time) as the tickets give them. */
const REPORT_TITLE_TOTALS_FROM_TICKETS = `select title_key, count(*)::integer from ticket group by 1`;

/**
 * The roll-ups that count tickets per key by their creation, from the ticket row alone: each ticket
 * `t`'s rows (`keys`, each counting one ticket; a row is identified by `unique`, by default all keys)
 * as `ofTicket` gives them from the ticket's columns `dependsOn`. recurringIssues reads them: over one business or agent, its titles per
 * month, of all time and per spelling of all time, and an agent's businesses; the businesses of all tickets (of all time, their
 * months are report_scope_month's); the titles as written, with their trigrams.
 */
const TICKET_KEY_ROLL_UPS: Record<string, { name: RollUpName; dependsOn: string[]; keys: string[]; unique?: string[]; ofTicket: string }> = {
  report_scope_title_month: {
    name: 'scopeTitleMonths',
    dependsOn: ['business_id', 'assignee_id', 'title_key', 'spelling_key', 'created_at'],
    keys: ['scope', 'scope_id', 'title_key', 'month', 'spelling_key'],
    // By month first: a period reads its own months, or only the months outside it (see report_scope_spelling_total).
    unique: ['scope', 'scope_id', 'month', 'title_key', 'spelling_key'],
    ofTicket: `select s.scope, s.id, t.title_key, ${CREATED_MONTH}, t.spelling_key from ${SCOPES_OF_TICKET} where s.id is not null`,
  },
  // Per spelling of all time: a period longer than what lies outside it is counted as this less the months outside it.
  report_scope_spelling_total: {
    name: 'scopeSpellingTotals',
    dependsOn: ['business_id', 'assignee_id', 'title_key', 'spelling_key'],
    keys: ['scope', 'scope_id', 'title_key', 'spelling_key'],
    ofTicket: `select s.scope, s.id, t.title_key, t.spelling_key from ${SCOPES_OF_TICKET} where s.id is not null`,
  },
  report_scope_title_total: {
    name: 'scopeTitleTotals',
    dependsOn: ['business_id', 'assignee_id', 'title_key'],
    keys: ['scope', 'scope_id', 'title_key'],
    ofTicket: `select s.scope, s.id, t.title_key from ${SCOPES_OF_TICKET} where s.id is not null`,
  },
  report_agent_business_month: {
    name: 'agentBusinessMonths',
    dependsOn: ['assignee_id', 'business_id', 'created_at'],
    keys: ['assignee_id', 'business_id', 'month'],
    ofTicket: `select t.assignee_id, t.business_id, ${CREATED_MONTH} where t.assignee_id is not null and t.business_id is not null`,
  },
  report_agent_business_total: {
    name: 'agentBusinessTotals',
    dependsOn: ['assignee_id', 'business_id'],
    keys: ['assignee_id', 'business_id'],
    ofTicket: `select t.assignee_id, t.business_id where t.assignee_id is not null and t.business_id is not null`,
  },
  report_business_total: {
    name: 'businessTotals',
    dependsOn: ['business_id'],
    keys: ['business_id'],
    ofTicket: `select t.business_id where t.business_id is not null`,
  },
  // Each spelling of a title as written, with its trigrams (show_trgm, joined by '|', which pg_trgm never keeps: a trigram
  // holds letters, digits and spaces), so that the most frequent titles are shown and compared without reading a ticket.
  report_title_spelling: {
    name: 'titleSpellings',
    dependsOn: ['title'],
    keys: ['spelling_key', 'title', 'trigrams'],
    unique: ['spelling_key'],
    ofTicket: `select t.spelling_key, t.title, array_to_string(show_trgm(lower(t.title)), '|')`,
  },
};

/** A TICKET_KEY_ROLL_UPS table's rows as the tickets give them. */
const ticketKeyRows = (table: string) => {
  const { keys, ofTicket } = TICKET_KEY_ROLL_UPS[table];
  const columns = keys.map((_, i) => `k${i}`);
  return `select ${columns.join(', ')}, count(*)::integer from ticket t cross join lateral (${ofTicket}) as k(${columns.join(', ')}) group by ${columns.join(', ')}`;
};

/**
 * Durations are counted in buckets 1 % wide on a log scale (`report_duration_bucket`, 2,000 of them up
 * to 15 years), so that a percentile's bucket holds a small share of the tickets, read exactly from an index.
 */
export const DURATION_BUCKETS = 2000;
export const DURATION_BUCKETS_PER_UNIT = 100;
const NO_COUNTS = `array_fill(0, array[${DURATION_BUCKETS}])`;

/**
 * A ticket `t`'s share of `report_duration_month`: per measure (R: resolution, counted in the month
 * of `resolved_at`; F: first response, in the month of `first_responded_at`), for every scope it
 * falls in ('*': all tickets, 'P': its priority, 'C': its channel, 'A': its assignee or '' for none;
 * 'AP' and 'AC': its assignee and priority or channel, as '<assignee id> <value>', if it has an assignee),
 * its durations, and (of resolutions only, as agentPerformance reads them) whether the resolution
 * target was met and the rating.
 */
export const DURATION_MONTHS_OF_TICKET = `
  select m.measure, s.scope, s.scope_key, date_trunc('month', m.at at time zone 'UTC')::date as month, m.wall, m.business, m.met, m.score
    from (values ('R', t.resolved_at, t.resolution_seconds, t.resolution_business_seconds, t.resolution_breached_at is null, t.satisfaction_score),
                 ('F', t.first_responded_at, t.first_response_seconds, t.first_response_business_seconds, null::boolean, null::smallint))
         as m(measure, at, wall, business, met, score)
   cross join (values ('*', ''), ('P', t.priority::text), ('C', t.channel::text), ('A', coalesce(t.assignee_id::text, '')),
                      ('AP', t.assignee_id::text || ' ' || t.priority::text), ('AC', t.assignee_id::text || ' ' || t.channel::text)) as s(scope, scope_key)
   where m.at is not null and s.scope_key is not null`;

/**
 * `report_duration_month`'s rows as the tickets' figures give them: running totals up to the end of each
 * month that has a row (any month with tickets, and any the table holds, so a month whose tickets all
 * moved away still compares).
 */
const REPORT_DURATION_MONTHS_FROM_TICKETS = `
  with c as (select x.* from ticket t cross join lateral (${DURATION_MONTHS_OF_TICKET}) as x),
  buckets as (
    select measure, scope, scope_key, month, report_duration_bucket(wall) as bucket, count(*)::integer as wall, 0 as business from c where wall is not null group by 1, 2, 3, 4, 5
    union all
    select measure, scope, scope_key, month, report_duration_bucket(business), 0, count(*)::integer from c where business is not null group by 1, 2, 3, 4, 5),
  monthly as (
    select m.*, h.wall_counts, h.business_counts from (
      select measure, scope, scope_key, month, count(*) as tickets, coalesce(sum(wall), 0) as wall_seconds, coalesce(sum(business), 0) as business_seconds,
             count(*) filter (where met) as met, count(score) as rated, coalesce(sum(score), 0) as score_sum
        from c group by 1, 2, 3, 4) m
    join (
      select measure, scope, scope_key, month, report_counts_of(array_agg(bucket), array_agg(wall)) as wall_counts,
             report_counts_of(array_agg(bucket), array_agg(business)) as business_counts
        from buckets group by 1, 2, 3, 4) h using (measure, scope, scope_key, month)),
  keyed as (
    select k.measure, k.scope, k.scope_key, k.month, m.tickets, m.wall_seconds, m.business_seconds, m.met, m.rated, m.score_sum, m.wall_counts, m.business_counts
      from (select measure, scope, scope_key, month from monthly union select measure, scope, scope_key, month from report_duration_month) k
      left join monthly m using (measure, scope, scope_key, month))
  select measure, scope, scope_key, month,
         (coalesce(sum(tickets) over w, 0))::integer, (coalesce(sum(wall_seconds) over w, 0))::bigint, (coalesce(sum(business_seconds) over w, 0))::bigint,
         (coalesce(sum(met) over w, 0))::integer, (coalesce(sum(rated) over w, 0))::integer, (coalesce(sum(score_sum) over w, 0))::integer,
         report_counts_add(${NO_COUNTS}, report_counts_sum(wall_counts) over w), report_counts_add(${NO_COUNTS}, report_counts_sum(business_counts) over w)
    from keyed
  window w as (partition by measure, scope, scope_key order by month)`;

/** The roll-ups by the name checkDigests reports them under. */
export type RollUpName =
  | 'hours'
  | 'scopeDays'
  | 'tagDays'
  | 'assignmentDays'
  | 'scopeMonths'
  | 'scopeTagMonths'
  | 'titleMonths'
  | 'titleTotals'
  | 'businessAssignmentMonths'
  | 'scopeTitleMonths'
  | 'scopeTitleTotals'
  | 'scopeSpellingTotals'
  | 'agentBusinessMonths'
  | 'agentBusinessTotals'
  | 'businessTotals'
  | 'titleSpellings'
  | 'durationMonths';

/**
 * Each roll-up: its name, its key and count columns, its rows as the timeline (or the tag links, or the
 * tickets' figures) give them, and when one of its rows counts as absent (all zeros, by default).
 */
const ROLL_UPS: { name: RollUpName; table: string; keys: string[]; counts: string[]; derived: string; absent?: string }[] = [
  { name: 'hours', table: 'report_hour', keys: ['hour'], counts: ['created', 'resolved', 'reopened'], derived: REPORT_HOURS_FROM_TIMELINE },
  { name: 'scopeDays', table: 'report_scope_day', keys: ['scope', 'scope_id', 'day'], counts: ['created', 'resolved', 'reopened'], derived: REPORT_SCOPE_DAYS_FROM_TIMELINE },
  { name: 'tagDays', table: 'report_tag_day', keys: ['tag_id', 'day'], counts: ['created'], derived: REPORT_TAG_DAYS_FROM_TAGS },
  { name: 'assignmentDays', table: 'report_assignment_day', keys: ['assignee_id', 'day'], counts: ['assigned'], derived: REPORT_ASSIGNMENT_DAYS_FROM_TIMELINE },
  {
    name: 'scopeMonths', table: 'report_scope_month',
    keys: ['scope', 'scope_id', 'month', 'status', 'priority', 'channel'],
    counts: SCOPE_MONTH_COUNTS,
    derived: REPORT_SCOPE_MONTHS_FROM_TICKETS,
  },
  { name: 'scopeTagMonths', table: 'report_scope_tag_month', keys: ['scope', 'scope_id', 'month', 'tag_id'], counts: ['created'], derived: REPORT_SCOPE_TAG_MONTHS_FROM_TAGS },
  { name: 'titleMonths', table: 'report_title_month', keys: ['title_key', 'spelling_key', 'month'], counts: ['created'], derived: REPORT_TITLE_MONTHS_FROM_TICKETS },
  { name: 'titleTotals', table: 'report_title_total', keys: ['title_key'], counts: ['created'], derived: REPORT_TITLE_TOTALS_FROM_TICKETS },
  {
    name: 'businessAssignmentMonths', table: 'report_business_assignment_month',
    keys: ['business_id', 'month', 'assignee_id'],
    counts: ['assigned'],
    derived: REPORT_BUSINESS_ASSIGNMENT_MONTHS_FROM_TIMELINE,
  },
  ...Object.entries(TICKET_KEY_ROLL_UPS).map(([table, { name, keys }]) => ({ name, table, keys, counts: ['created'], derived: ticketKeyRows(table) })),
  {
    name: 'durationMonths', table: 'report_duration_month',
    keys: ['measure', 'scope', 'scope_key', 'month'],
    counts: ['tickets', 'wall_seconds', 'business_seconds', 'met', 'rated', 'score_sum', 'wall_counts', 'business_counts'],
    derived: REPORT_DURATION_MONTHS_FROM_TICKETS,
    // Its derived rows include every month the table holds, so its rows are never left out.
    absent: 'false',
  },
];

/** The statement that fills a roll-up (empty) from the timeline: for the seed and the rebuild. */
function fillRollUp({ table, keys, counts, derived }: (typeof ROLL_UPS)[number]): string {
  return `insert into ${table} (${[...keys, ...counts].join(', ')}) ${derived}`;
}

/** Each roll-up's table by its name. */
export const ROLL_UP_TABLES = Object.fromEntries(ROLL_UPS.map(({ name, table }) => [name, table])) as Record<RollUpName, string>;

/** Statements that fill every (empty) roll-up. */
export const FILL_ROLL_UPS = ROLL_UPS.map(fillRollUp);

/** Every ticket's digests and the roll-ups, derived afresh from the timeline. */
export async function rebuildDigests(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    for (const statement of FILL_TICKET_DIGESTS) await tx.execute(statement);
    for (const { table } of ROLL_UPS) await tx.execute(`delete from ${table}`);
    for (const statement of FILL_ROLL_UPS) await tx.execute(statement);
  });
}

/** Keys (as text) of a roll-up's rows that differ from what the timeline gives; rows of zeros count as absent. */
async function differingRows(em: EntityManager, { table, keys, counts, derived, absent }: (typeof ROLL_UPS)[number], limit: number): Promise<string[]> {
  const list = (alias: string, columns: string[]) => columns.map((column) => `${alias}.${column}`).join(', ');
  const rows = await em.execute<{ key: string }[]>(
    `select concat_ws(' ', ${keys.map((key) => `coalesce(a.${key}, b.${key})`).join(', ')}) as key
       from (select * from ${table} where not (${absent ?? `(${counts.join(', ')}) = (${counts.map(() => '0').join(', ')})`})) a
       full join (${derived}) b(${[...keys, ...counts].join(', ')}) on (${list('a', keys)}) = (${list('b', keys)})
      where (${list('a', counts)}) is distinct from (${list('b', counts)})
      order by 1 limit ${limit}`,
  );
  return rows.map((row) => row.key);
}

/**
 * Tickets whose digests differ from their timeline (at most `limit` ids), and per roll-up (by its
 * name, see ROLL_UPS) the keys of its rows that differ from what the timeline, the tags and the
 * tickets give.
 */
export async function checkDigests(em: EntityManager, limit = 20): Promise<{ tickets: string[] } & Record<RollUpName, string[]>> {
  const differs = Object.entries(TICKET_DIGESTS).map(([column, expression]) =>
    column === 'tag_ids' ? `array(select unnest(t.tag_ids) order by 1) is distinct from ${expression}` : `t.${column} is distinct from ${expression}`,
  );
  const tickets = await em.execute<{ id: string }[]>(
    `select t.id from ticket t where ${differs.join(' or ')}
        or exists (select 1 from ticket_tag tt where tt.ticket_id = t.id and tt.ticket_created_at is distinct from t.created_at)
      order by t.id limit ${limit}`,
  );
  const differing = await Promise.all(ROLL_UPS.map((rollUp) => differingRows(em, rollUp, limit)));
  return {
    tickets: tickets.map((row) => row.id),
    ...(Object.fromEntries(ROLL_UPS.map(({ name }, i) => [name, differing[i]])) as Record<RollUpName, string[]>),
  };
}
