import { Migration } from '@mikro-orm/migrations';

/** A timestamptz as whole milliseconds since 1970 (rounded down, so it stays in its month), as the roll-up state holds instants. */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::bigint`;

/**
 * Which (measure, scope, dimension) the roll-ups keep, as the roll-up definitions said when this
 * migration was written (modules/reports/roll-ups.ts); the fill below writes only these.
 */
const SLA = { all: ['none', 'status', 'priority', 'channel'], assignee: ['none', 'priority'], business: ['none'] };
const KEPT: Record<string, Record<string, string[]>> = {
  created: {
    all: ['none', 'status', 'priority', 'channel', 'tag', 'title', 'spelling'],
    assignee: ['none', 'status', 'priority', 'tag', 'title', 'spelling', 'business'],
    business: ['none', 'status'],
  },
  first_response_met: SLA,
  first_response_breached: SLA,
  resolution_met: SLA,
  resolution_breached: SLA,
  resolved_move: { all: ['none'], assignee: ['none'], business: ['none', 'assignee'] },
  reopen: { all: ['none'], assignee: ['none'], business: ['none', 'assignee'] },
  assigned: { all: ['assigned_to'], business: ['assigned_to'] },
  resolved: { assignee: ['none'], business: ['assignee'] },
  resolved_met: { assignee: ['none'], business: ['assignee'] },
  rated: { assignee: ['none'], business: ['assignee'] },
  resolution_seconds: { all: ['none', 'priority', 'channel'], assignee: ['none'] },
  resolution_business_seconds: { all: ['none', 'priority', 'channel'], assignee: ['none'] },
  first_response_seconds: { all: ['none', 'priority', 'channel'], assignee: ['none'] },
  first_response_business_seconds: { all: ['none', 'priority', 'channel'], assignee: ['none'] },
};

const KEPT_VALUES = Object.entries(KEPT)
  .flatMap(([measure, scopes]) => Object.entries(scopes).flatMap(([scope, dimensions]) => dimensions.map((dimension) => `('${measure}', '${scope}', '${dimension}')`)))
  .join(', ');

/** Duration buckets: bucket b holds [T_b, T_b+1) seconds, T_0 = 0, T_1 = 1, T_b+1 = T_b + max(1, T_b / 50): 1 s wide up to 50 s, then 2 %. */
const THRESHOLDS = `(with recursive b(t) as (select 1::bigint union all select t + greatest(1, t / 50) from b where t < 2147483647) select array_agg(t order by t) from b)`;

/**
 * Reports from a few general roll-ups kept by a feed consumer instead of seventeen special tables
 * kept by triggers on `ticket`, `ticket_event` and `ticket_tag` (whose writes took the timeline's
 * advisory lock, 7411001, on every write path).
 *
 * `roll_up`: per measure, scope (all tickets, a business's, an assignee's; scope_id null under
 * 'business' and 'assignee' for the tickets with none), dimension (and its key, null for none), UTC
 * month (null: all time) and, for durations, bucket: a count and a sum. `roll_up_ticket`: each ticket's state as the
 * roll-ups last counted it, so that a change takes that share out and puts the new one in.
 * Both are filled here from the tickets and their timelines, and the consumer `roll-ups` starts at
 * the timeline's watermark (re-applying a ticket already counted changes nothing). The digest columns,
 * the special tables, their triggers and functions, and the indexes that served only them go.
 */
export class Migration20261206070000_general_roll_ups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table roll_up (
        measure text not null,
        scope text not null check (scope in ('all', 'business', 'assignee')),
        scope_id uuid check (scope <> 'all' or scope_id is null),
        dimension text not null,
        key text,
        month date,
        bucket smallint,
        count bigint not null,
        sum bigint not null
      );`);
    this.addSql(`create unique index roll_up_key_idx on roll_up (measure, scope, dimension, scope_id, month, key, bucket) nulls not distinct;`);
    // The all-time rows alone, for reading a long period as all time less the months outside it, over every scope id.
    this.addSql(`create index roll_up_all_time_idx on roll_up (measure, scope, dimension, scope_id, key, bucket) include (count, sum) where month is null;`);
    this.addSql(`create table roll_up_ticket (ticket_id uuid primary key, state jsonb not null);`);

    this.addSql(`insert into roll_up_ticket (ticket_id, state)
      select t.id, jsonb_build_object(
        'createdAt', ${ms('t.created_at')}, 'status', t.status, 'priority', t.priority, 'channel', t.channel,
        'businessId', t.business_id, 'assigneeId', t.assignee_id, 'title', t.title, 'titleLower', lower(t.title),
        'tagIds', coalesce((select jsonb_agg(tt.tag_id order by tt.tag_id) from ticket_tag tt where tt.ticket_id = t.id), '[]'),
        'firstRespondedAt', ${ms('t.first_responded_at')}, 'firstResponseSeconds', t.first_response_seconds,
        'firstResponseBusinessSeconds', t.first_response_business_seconds, 'firstResponseBreached', t.first_response_breached_at is not null,
        'resolvedAt', ${ms('t.resolved_at')}, 'resolutionSeconds', t.resolution_seconds,
        'resolutionBusinessSeconds', t.resolution_business_seconds, 'resolutionBreached', t.resolution_breached_at is not null,
        'score', t.satisfaction_score,
        'resolvedMoves', coalesce((select jsonb_agg(${ms('e.created_at')} order by e.position) from ticket_event e
          where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and e.to_status = 'RESOLVED'), '[]'),
        'reopens', coalesce((select jsonb_agg(${ms('e.created_at')} order by e.position) from ticket_event e
          where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED')), '[]'),
        'assignments', coalesce((select jsonb_agg(jsonb_build_array(${ms('e.created_at')}, e.assigned_to_id) order by e.position) from ticket_event e
          where e.ticket_id = t.id and e.assigned_to_id is not null), '[]'))
      from ticket t;`);

    this.addSql(`insert into roll_up (measure, scope, scope_id, dimension, key, month, bucket, count, sum)
      with thresholds as (select ${THRESHOLDS} as t),
      facts(ticket_id, measure, at, bucket, n, total, assigned_to) as (
        select id, 'created', created_at, null::smallint, 1, 0::bigint, null::uuid from ticket
        union all select id, 'first_response_met', created_at, null, 1, 0, null from ticket where first_responded_at is not null and first_response_breached_at is null
        union all select id, 'first_response_breached', created_at, null, 1, 0, null from ticket where first_response_breached_at is not null
        union all select id, 'resolution_met', created_at, null, 1, 0, null from ticket where resolved_at is not null and resolution_breached_at is null
        union all select id, 'resolution_breached', created_at, null, 1, 0, null from ticket where resolution_breached_at is not null
        union all select id, 'resolved', resolved_at, null, 1, 0, null from ticket where resolved_at is not null
        union all select id, 'resolved_met', resolved_at, null, 1, 0, null from ticket where resolved_at is not null and resolution_breached_at is null
        union all select id, 'rated', resolved_at, null, 1, satisfaction_score, null from ticket where resolved_at is not null and satisfaction_score is not null
        union all select t.id, 'resolution_seconds', t.resolved_at, width_bucket(t.resolution_seconds, h.t)::smallint, 1, t.resolution_seconds, null
          from ticket t, thresholds h where t.resolved_at is not null and t.resolution_seconds is not null
        union all select t.id, 'resolution_business_seconds', t.resolved_at, width_bucket(t.resolution_business_seconds, h.t)::smallint, 1, t.resolution_business_seconds, null
          from ticket t, thresholds h where t.resolved_at is not null and t.resolution_business_seconds is not null
        union all select t.id, 'first_response_seconds', t.first_responded_at, width_bucket(t.first_response_seconds, h.t)::smallint, 1, t.first_response_seconds, null
          from ticket t, thresholds h where t.first_responded_at is not null and t.first_response_seconds is not null
        union all select t.id, 'first_response_business_seconds', t.first_responded_at, width_bucket(t.first_response_business_seconds, h.t)::smallint, 1, t.first_response_business_seconds, null
          from ticket t, thresholds h where t.first_responded_at is not null and t.first_response_business_seconds is not null
        union all select ticket_id, 'resolved_move', created_at, null, 1, 0, null from ticket_event where type = 'STATUS_CHANGED' and to_status = 'RESOLVED'
        union all select ticket_id, 'reopen', created_at, null, 1, 0, null from ticket_event
          where type = 'STATUS_CHANGED' and from_status = 'RESOLVED' and to_status not in ('RESOLVED', 'CLOSED')
        union all select ticket_id, 'assigned', created_at, null, 1, 0, assigned_to_id from ticket_event where assigned_to_id is not null),
      kept(measure, scope, dimension) as (values ${KEPT_VALUES})
      select f.measure, s.scope, s.id, d.dimension, d.key, date_trunc('month', f.at at time zone 'UTC')::date as month, f.bucket, sum(f.n), sum(f.total)
        from facts f
        join ticket t on t.id = f.ticket_id
       cross join lateral (values ('all', null::uuid), ('business', t.business_id), ('assignee', t.assignee_id)) as s(scope, id)
       cross join lateral (
         select 'none' as dimension, null::text as key
         union all select 'status', t.status union all select 'priority', t.priority union all select 'channel', t.channel
         union all select 'title', lower(t.title) union all select 'spelling', t.title::text union all select 'business', t.business_id::text union all select 'assignee', t.assignee_id::text
         union all select 'assigned_to', f.assigned_to::text
         union all select 'tag', tt.tag_id::text from ticket_tag tt where tt.ticket_id = t.id
         union all select 'tag', null where not exists (select 1 from ticket_tag tt where tt.ticket_id = t.id)
       ) as d
        join kept k on (k.measure, k.scope, k.dimension) = (f.measure, s.scope, d.dimension)
       group by grouping sets ((1, 2, 3, 4, 5, 6, 7), (1, 2, 3, 4, 5, 7));`);

    this.addSql(`insert into feed_checkpoint (consumer, position) values ('roll-ups', timeline_watermark())
      on conflict (consumer) do update set position = excluded.position, updated_at = now();`);

    // The special roll-ups, their triggers (dropped with their tables' functions) and the digests only they read.
    for (const table of [
      'report_hour', 'report_scope_day', 'report_tag_day', 'report_assignment_day', 'report_scope_month', 'report_scope_tag_month',
      'report_title_month', 'report_title_total', 'report_business_assignment_month', 'report_scope_title_month', 'report_scope_title_total',
      'report_scope_spelling_total', 'report_agent_business_month', 'report_agent_business_total', 'report_business_total',
      'report_title_spelling', 'report_duration_month',
    ]) {
      this.addSql(`drop table ${table};`);
    }
    for (const trigger of [
      'ticket_report_agent_business_month_change', 'ticket_report_agent_business_month_update', 'ticket_report_agent_business_total_change',
      'ticket_report_agent_business_total_update', 'ticket_report_business_assignment_month_change', 'ticket_report_business_assignment_month_update',
      'ticket_report_business_total_change', 'ticket_report_business_total_update', 'ticket_report_duration_delete', 'ticket_report_duration_insert',
      'ticket_report_duration_update', 'ticket_report_hour', 'ticket_report_scope_day_change', 'ticket_report_scope_day_update',
      'ticket_report_scope_month_change', 'ticket_report_scope_month_update', 'ticket_report_scope_spelling_total_change',
      'ticket_report_scope_spelling_total_update', 'ticket_report_scope_tag_month_change', 'ticket_report_scope_tag_month_update',
      'ticket_report_scope_title_month_change', 'ticket_report_scope_title_month_update', 'ticket_report_scope_title_total_change',
      'ticket_report_scope_title_total_update', 'ticket_report_title_change', 'ticket_report_title_spelling_change',
      'ticket_report_title_spelling_update', 'ticket_report_title_total_change', 'ticket_report_title_total_update', 'ticket_report_title_update',
    ]) {
      this.addSql(`drop trigger ${trigger} on ticket;`);
    }
    this.addSql(`drop trigger ticket_tag_stamp on ticket_tag;`);
    this.addSql(`drop trigger ticket_tag_digest on ticket_tag;`);
    this.addSql(`drop trigger ticket_event_digest on ticket_event;`);
    this.addSql(`drop trigger ticket_event_assignment_day_insert on ticket_event;`);
    this.addSql(`drop trigger ticket_event_assignment_day_delete on ticket_event;`);
    for (const fn of [
      'ticket_report_agent_business_month()', 'ticket_report_agent_business_total()', 'ticket_report_business_assignment_month()',
      'ticket_report_business_total()', 'ticket_report_duration()', 'ticket_report_hour()', 'ticket_report_scope_day()',
      'ticket_report_scope_month()', 'ticket_report_scope_spelling_total()', 'ticket_report_scope_tag_month()', 'ticket_report_scope_title_month()',
      'ticket_report_scope_title_total()', 'ticket_report_title()', 'ticket_report_title_spelling()', 'ticket_report_title_total()',
      'ticket_tag_stamp()', 'ticket_tag_digest()', 'ticket_event_digest()', 'report_assignment_day_add()',
    ]) {
      this.addSql(`drop function ${fn};`);
    }
    this.addSql(`do $$ declare f regprocedure; k "char"; begin
        for f, k in select p.oid::regprocedure, p.prokind from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname like 'report\\_%'
                     order by p.prokind = 'a' desc loop
          execute case k when 'a' then 'drop aggregate ' else 'drop function ' end || f;
        end loop;
      end $$;`);
    // Indexes that include a digest column go with it; those that served reports are recreated without it.
    this.addSql(`alter table ticket drop column tag_ids, drop column resolved_moves, drop column reopened_moves, drop column assigned_at, drop column assigned_to;`);
    this.addSql(`alter table ticket_tag drop column ticket_created_at;`);
    const created = 'status, priority, channel, assignee_id, business_id, title_key, spelling_key, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since';
    this.addSql(`create index ticket_created_report_idx on ticket (created_at) include (${created});`);
    this.addSql(`create index ticket_business_report_idx on ticket (business_id, created_at) include (id, ${created});`);
    this.addSql(`create index ticket_assignee_report_idx on ticket (assignee_id, created_at) include (id, ${created});`);
  }

  override async down(): Promise<void> {
    throw new Error('Migration20261206070000_general_roll_ups drops the special roll-ups and their digests; restore a backup to go back.');
  }
}
