import { Migration } from '@mikro-orm/migrations';

/**
 * What reports read at scale, kept by the database in the same transaction as the rows they come from,
 * so that no write path (service, job, bulk fix) can forget them:
 *
 * - per ticket, digests of its timeline and tags on the ticket row: its tag ids, the instants it was
 *   resolved and reopened, and its assignments (instant and assignee); a report over one business or
 *   one agent reads them from a covering index instead of joining the timeline;
 * - `title_key` and `spelling_key`, 64-bit hashes of the title case-blind and as written, to count
 *   recurring titles (and their most frequent spelling) from an index;
 * - `ticket_event.assigned_to_id`, the assignee an assignment entry names, to count assignments per
 *   agent from an index; `ticket_tag.ticket_created_at`, to count tags of the tickets created in a
 *   period from an index;
 * - `report_hour`, tickets created, resolved and reopened per UTC hour, from which a report over
 *   unfiltered tickets reads its time series (the partial hours at its edges come from the rows);
 * - `report_scope_day`, the same per UTC day for each business and each assignee (the ticket's current
 *   ones), for the series of one business's or one agent's tickets;
 * - `report_tag_day`, tickets created per UTC day for each tag, for the tags of all tickets.
 *
 * `npm run reports:rebuild -- --check` compares all of them with the timeline.
 */
export class Migration20261127060000_report_digests extends Migration {
  override async up(): Promise<void> {
    // Assignment entries name the assignee by global id, base64url("User:<uuid>").
    this.addSql(`create function uuid_of_global_id(gid text) returns uuid language sql immutable strict as $$
      select split_part(convert_from(decode(rpad(translate(gid, '-_', '+/'), ((length(gid) + 3) / 4) * 4, '='), 'base64'), 'UTF8'), ':', 2)::uuid
    $$;`);
    this.addSql(`alter table ticket_event add column assigned_to_id uuid generated always as
      (case when type = 'ASSIGNED' then uuid_of_global_id(details->>'to') end) stored;`);
    this.addSql(`alter table ticket_tag add column ticket_created_at timestamptz;`);
    this.addSql(`alter table ticket
      add column tag_ids uuid[] not null default '{}',
      add column resolved_moves timestamptz[] not null default '{}',
      add column reopened_moves timestamptz[] not null default '{}',
      add column assigned_at timestamptz[] not null default '{}',
      add column assigned_to uuid[] not null default '{}',
      add column title_key bigint not null generated always as (hashtextextended(lower(title), 0)) stored,
      add column spelling_key bigint not null generated always as (hashtextextended(title, 0)) stored;`);
    this.addSql(`create table report_hour (
      hour timestamptz primary key,
      created integer not null default 0,
      resolved integer not null default 0,
      reopened integer not null default 0
    );`);

    // Every writer of report_hour first takes the lock timeline writers take (each change it counts comes
    // with a timeline entry anyway): its rows are then locked in one order, never in a deadlock.
    this.addSql(`create function report_hour_add(at timestamptz, created integer, resolved integer, reopened integer) returns void language sql as $$
      select pg_advisory_xact_lock(7411001);
      insert into report_hour as r (hour, created, resolved, reopened) values (date_trunc('hour', at, 'UTC'), created, resolved, reopened)
      on conflict (hour) do update set created = r.created + excluded.created, resolved = r.resolved + excluded.resolved, reopened = r.reopened + excluded.reopened
    $$;`);
    this.addSql(`create function ticket_report_hour() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then perform report_hour_add(new.created_at, 1, 0, 0); end if;
        if tg_op in ('DELETE', 'UPDATE') then perform report_hour_add(old.created_at, -1, 0, 0); end if;
        if tg_op = 'UPDATE' then update ticket_tag set ticket_created_at = new.created_at where ticket_id = new.id; end if;
        return null;
      end $$;`);
    this.addSql(`create table report_scope_day (
      scope char(1) not null check (scope in ('B', 'A')),
      scope_id uuid not null,
      day date not null,
      created integer not null default 0,
      resolved integer not null default 0,
      reopened integer not null default 0,
      primary key (scope, scope_id, day) include (created, resolved, reopened)
    );`);

    // A ticket's share of report_scope_day follows from its row alone (business, assignee, creation and
    // the resolution and reopen instants on it): a change takes the old row's share out and puts the
    // new one's in. Under the timeline lock, as report_hour.
    this.addSql(`create function report_scope_day_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_day as r (scope, scope_id, day, created, resolved, reopened)
        select s.scope, s.id, x.day, sign * sum(x.created), sign * sum(x.resolved), sign * sum(x.reopened)
          from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id)
         cross join (
  select (t.created_at at time zone 'UTC')::date as day, 1 as created, 0 as resolved, 0 as reopened
  union all select (m at time zone 'UTC')::date, 0, 1, 0 from unnest(t.resolved_moves) as m
  union all select (m at time zone 'UTC')::date, 0, 0, 1 from unnest(t.reopened_moves) as m) as x
         where s.id is not null
         group by s.scope, s.id, x.day
        on conflict (scope, scope_id, day) do update
          set created = r.created + excluded.created, resolved = r.resolved + excluded.resolved, reopened = r.reopened + excluded.reopened;
      end $$;`);
    this.addSql(`create function ticket_report_scope_day() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_day_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_day_add(new, 1); end if;
        return null;
      end $$;`);

    // Resolutions and reopens as timeline-moves.ts counts them (RESOLVED_MOVE, REOPEN).
    this.addSql(`create function ticket_event_digest() returns trigger language plpgsql as $$
      declare
        e ticket_event := case when tg_op = 'DELETE' then old else new end;
        sign integer := case when tg_op = 'DELETE' then -1 else 1 end;
        resolved boolean := coalesce(e.type = 'STATUS_CHANGED' and e.to_status = 'RESOLVED', false);
        reopened boolean := coalesce(e.type = 'STATUS_CHANGED' and e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED'), false);
      begin
        if resolved or reopened then
          perform report_hour_add(e.created_at, 0, case when resolved then sign else 0 end, case when reopened then sign else 0 end);
        end if;
        if tg_op = 'INSERT' then
          if resolved then update ticket set resolved_moves = resolved_moves || e.created_at where id = e.ticket_id; end if;
          if reopened then update ticket set reopened_moves = reopened_moves || e.created_at where id = e.ticket_id; end if;
          if e.assigned_to_id is not null then
            update ticket set assigned_at = assigned_at || e.created_at, assigned_to = assigned_to || e.assigned_to_id where id = e.ticket_id;
          end if;
        end if;
        return null;
      end $$;`);
    this.addSql(`create function ticket_tag_stamp() returns trigger language plpgsql as $$
      begin
        new.ticket_created_at := (select created_at from ticket where id = new.ticket_id);
        return new;
      end $$;`);
    this.addSql(`create table report_tag_day (
      tag_id uuid not null,
      day date not null,
      created integer not null default 0,
      primary key (tag_id, day)
    );`);
    this.addSql(`create function report_tag_day_add(tag uuid, at timestamptz, created integer) returns void language sql as $$
      select pg_advisory_xact_lock(7411001);
      insert into report_tag_day as r (tag_id, day, created) values (tag, (at at time zone 'UTC')::date, created)
      on conflict (tag_id, day) do update set created = r.created + excluded.created
    $$;`);
    this.addSql(`create function ticket_tag_digest() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then
          update ticket set tag_ids = array_remove(tag_ids, old.tag_id) where id = old.ticket_id;
          perform report_tag_day_add(old.tag_id, old.ticket_created_at, -1);
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          update ticket set tag_ids = array_append(tag_ids, new.tag_id) where id = new.ticket_id;
          perform report_tag_day_add(new.tag_id, new.ticket_created_at, 1);
        end if;
        return null;
      end $$;`);

    // Tickets from before this migration get their digests from the timeline.
    this.addSql(`update ticket t set tag_ids = coalesce((select array_agg(tt.tag_id order by tt.tag_id) from ticket_tag tt where tt.ticket_id = t.id), '{}'), resolved_moves = coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED') and e.to_status = 'RESOLVED'), '{}'), reopened_moves = coalesce((select array_agg(e.created_at order by e.position) from ticket_event e
    where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED') and e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED')), '{}'), assigned_at = coalesce((select array_agg(e.created_at order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}'), assigned_to = coalesce((select array_agg(e.assigned_to_id order by e.position) from ticket_event e where e.ticket_id = t.id and e.assigned_to_id is not null), '{}');`);
    this.addSql(`update ticket_tag tt set ticket_created_at = t.created_at from ticket t where t.id = tt.ticket_id;`);
    this.addSql(`insert into report_hour (hour, created, resolved, reopened) 
  select hour, sum(created)::integer, sum(resolved)::integer, sum(reopened)::integer from (
    select date_trunc('hour', created_at, 'UTC') as hour, 1 as created, 0 as resolved, 0 as reopened from ticket
    union all
    select date_trunc('hour', e.created_at, 'UTC'), 0, (e.to_status = 'RESOLVED')::integer, (e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED'))::integer from ticket_event e
      where e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED') and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED'))
  ) x group by hour;`);
    this.addSql(`insert into report_scope_day (scope, scope_id, day, created, resolved, reopened) 
  select s.scope, s.id, x.day, sum(x.created)::integer, sum(x.resolved)::integer, sum(x.reopened)::integer from (
    select t.business_id, t.assignee_id, (t.created_at at time zone 'UTC')::date as day, 1 as created, 0 as resolved, 0 as reopened from ticket t
    union all
    select t.business_id, t.assignee_id, (e.created_at at time zone 'UTC')::date, 0, (e.to_status = 'RESOLVED')::integer, (e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED'))::integer
      from ticket_event e join ticket t on t.id = e.ticket_id
     where e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED') and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED'))
  ) x cross join lateral (values ('B', x.business_id), ('A', x.assignee_id)) as s(scope, id)
  where s.id is not null
  group by s.scope, s.id, x.day;`);
    this.addSql(`insert into report_tag_day (tag_id, day, created) 
  select tt.tag_id, (t.created_at at time zone 'UTC')::date, count(*)::integer from ticket_tag tt join ticket t on t.id = tt.ticket_id group by 1, 2;`);
    this.addSql(`create trigger ticket_report_hour after insert or delete or update of created_at on ticket for each row execute function ticket_report_hour();`);
    this.addSql(`create trigger ticket_report_scope_day_change after insert or delete on ticket for each row execute function ticket_report_scope_day();`);
    this.addSql(`create trigger ticket_report_scope_day_update after update of business_id, assignee_id, created_at, resolved_moves, reopened_moves on ticket
      for each row when ((old.business_id, old.assignee_id, old.created_at, old.resolved_moves, old.reopened_moves)
                     is distinct from (new.business_id, new.assignee_id, new.created_at, new.resolved_moves, new.reopened_moves))
      execute function ticket_report_scope_day();`);
    this.addSql(`create trigger ticket_event_digest after insert or delete on ticket_event for each row execute function ticket_event_digest();`);
    this.addSql(`create trigger ticket_tag_stamp before insert or update on ticket_tag for each row execute function ticket_tag_stamp();`);
    this.addSql(`create trigger ticket_tag_digest after insert or delete or update on ticket_tag for each row execute function ticket_tag_digest();`);
    this.addSql(`drop index ticket_created_report_idx, ticket_business_report_idx, ticket_assignee_report_idx, ticket_title_lower_idx,
      ticket_event_resolution_ticket_idx, ticket_event_assigned_ticket_idx, ticket_event_assigned_idx;`);
    this.addSql(`create index ticket_created_report_idx on ticket (created_at) include (status, priority, channel, assignee_id, business_id, tag_ids, title_key, spelling_key, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_business_report_idx on ticket (business_id, created_at) include (id, status, priority, channel, assignee_id, business_id, tag_ids, title_key, spelling_key, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_assignee_report_idx on ticket (assignee_id, created_at) include (id, status, priority, channel, assignee_id, business_id, tag_ids, title_key, spelling_key, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_business_digest_idx on ticket (business_id) include (status, assignee_id, business_id, resolved_moves, reopened_moves, assigned_at, assigned_to);`);
    this.addSql(`create index ticket_assignee_digest_idx on ticket (assignee_id) include (status, assignee_id, business_id, resolved_moves, reopened_moves, assigned_at, assigned_to);`);
    this.addSql(`create index ticket_title_key_idx on ticket (title_key, created_at) include (spelling_key, id);`);
    this.addSql(`create index ticket_tag_created_idx on ticket_tag (ticket_created_at) include (tag_id);`);
    this.addSql(`create index ticket_untagged_idx on ticket (created_at) where tag_ids = '{}';`);

    // The few tickets ever reopened, and every assignment by assignee and time.
    this.addSql(`create index ticket_reopened_idx on ticket (assignee_id) include (business_id, reopened_moves) where cardinality(reopened_moves) > 0;`);
    this.addSql(`create index ticket_business_reopened_idx on ticket (business_id) include (assignee_id, reopened_moves) where cardinality(reopened_moves) > 0;`);
    this.addSql(`create index ticket_event_assigned_to_idx on ticket_event (assigned_to_id, created_at) where assigned_to_id is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger ticket_report_scope_day_change on ticket; drop trigger ticket_report_scope_day_update on ticket;
      drop function ticket_report_scope_day(); drop function report_scope_day_add(ticket, integer); drop table report_scope_day;`);
    this.addSql(`drop trigger ticket_report_hour on ticket; drop trigger ticket_event_digest on ticket_event; drop trigger ticket_tag_digest on ticket_tag;
      drop trigger ticket_tag_stamp on ticket_tag;`);
    this.addSql(`drop function ticket_report_hour(), ticket_event_digest(), ticket_tag_digest(), ticket_tag_stamp(), report_hour_add(timestamptz, integer, integer, integer),
      report_tag_day_add(uuid, timestamptz, integer);`);
    this.addSql(`drop table report_tag_day;`);
    this.addSql(`drop index ticket_created_report_idx, ticket_business_report_idx, ticket_assignee_report_idx, ticket_business_digest_idx,
      ticket_assignee_digest_idx, ticket_title_key_idx, ticket_reopened_idx, ticket_business_reopened_idx, ticket_event_assigned_to_idx, ticket_tag_created_idx, ticket_untagged_idx;`);
    this.addSql(`alter table ticket_tag drop column ticket_created_at;`);
    this.addSql(`drop table report_hour;`);
    this.addSql(`alter table ticket_event drop column assigned_to_id;`);
    this.addSql(`drop function uuid_of_global_id(text);`);
    this.addSql(`alter table ticket drop column tag_ids, drop column resolved_moves, drop column reopened_moves, drop column assigned_at,
      drop column assigned_to, drop column title_key, drop column spelling_key;`);
    this.addSql(`create index ticket_created_report_idx on ticket (created_at) include (status, priority, channel, assignee_id, business_id, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_business_report_idx on ticket (business_id, created_at) include (status, priority, channel, assignee_id, business_id, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_assignee_report_idx on ticket (assignee_id, created_at) include (status, priority, channel, assignee_id, business_id, first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since);`);
    this.addSql(`create index ticket_title_lower_idx on ticket (lower(title), created_at);`);
    this.addSql(`create index ticket_event_resolution_ticket_idx on ticket_event (ticket_id) include (created_at, from_status, to_status) where type = 'STATUS_CHANGED' and (to_status = 'RESOLVED' or from_status = 'RESOLVED');`);
    this.addSql(`create index ticket_event_assigned_ticket_idx on ticket_event (ticket_id) include (created_at, details) where type = 'ASSIGNED';`);
    this.addSql(`create index ticket_event_assigned_idx on ticket_event (created_at) include (ticket_id, details) where type = 'ASSIGNED';`);
  }
}
