import { Migration } from '@mikro-orm/migrations';

/**
 * Counts of tickets by month, so that a report over one business or agent, or by status, priority,
 * channel or assignee over all tickets, reads a few hundred or thousand rows instead of a scan (kept by
 * triggers under the timeline lock, as the other roll-ups; `npm run reports:rebuild -- --check`):
 *
 * - `report_scope_month`: tickets created per business ('B'), per assignee ('A'; the unassigned as 'U'),
 *   UTC month, and the ticket's current status, priority and channel: how many, how many have no tag,
 *   and their settled SLA outcomes (first response met or breached, resolution met or breached as
 *   recorded). A target still pending may fall due at any moment: reports count those from the rows;
 * - `report_scope_tag_month`: per business and assignee, tickets created per tag and month.
 *
 * A period's partial months at its edges are counted from the rows.
 */
export class Migration20261127090000_report_scope_months extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_scope_month (
      scope char(1) not null check (scope in ('B', 'A', 'U')),
      scope_id uuid not null,
      month date not null,
      status text not null,
      priority text not null,
      channel text not null,
      created integer not null default 0,
      untagged integer not null default 0,
      fr_met integer not null default 0,
      fr_breached integer not null default 0,
      res_met integer not null default 0,
      res_breached integer not null default 0,
      primary key (scope, scope_id, month, status, priority, channel) include (created, untagged, fr_met, fr_breached, res_met, res_breached)
    );`);
    this.addSql(`create table report_scope_tag_month (
      scope char(1) not null check (scope in ('B', 'A')),
      scope_id uuid not null,
      month date not null,
      tag_id uuid not null,
      created integer not null default 0,
      primary key (scope, scope_id, month, tag_id) include (created)
    );`);

    // A ticket's share follows from its row alone: a change takes the old row's share out and puts the new one's in.
    this.addSql(`create function report_scope_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_month as r (scope, scope_id, month, status, priority, channel, created, untagged, fr_met, fr_breached, res_met, res_breached)
        select scope, scope_id, month, status, priority, channel, sign * created, sign * untagged, sign * fr_met, sign * fr_breached, sign * res_met, sign * res_breached
          from (
  select s.scope, s.id as scope_id, date_trunc('month', t.created_at at time zone 'UTC')::date as month, t.status, t.priority, t.channel,
         1 as created, (t.tag_ids = '{}')::integer as untagged,
         (t.first_responded_at is not null and t.first_response_breached_at is null)::integer as fr_met,
         (t.first_response_breached_at is not null)::integer as fr_breached,
         (t.resolved_at is not null and t.resolution_breached_at is null)::integer as res_met,
         (t.resolution_breached_at is not null)::integer as res_breached
    from (values ('B', t.business_id), (case when t.assignee_id is null then 'U' else 'A' end, coalesce(t.assignee_id, '00000000-0000-0000-0000-000000000000'::uuid))) as s(scope, id)
   where s.id is not null) as x
        on conflict (scope, scope_id, month, status, priority, channel) do update
          set created = r.created + excluded.created, untagged = r.untagged + excluded.untagged, fr_met = r.fr_met + excluded.fr_met, fr_breached = r.fr_breached + excluded.fr_breached, res_met = r.res_met + excluded.res_met, res_breached = r.res_breached + excluded.res_breached;
      end $$;`);
    this.addSql(`create function report_scope_tag_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_tag_month as r (scope, scope_id, month, tag_id, created)
        select s.scope, s.id, date_trunc('month', t.created_at at time zone 'UTC')::date, tag.id, sign
          from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) cross join unnest(t.tag_ids) as tag(id) where s.id is not null
        on conflict (scope, scope_id, month, tag_id) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_scope_month (scope, scope_id, month, status, priority, channel, created, untagged, fr_met, fr_breached, res_met, res_breached) 
  select x.scope, x.scope_id, x.month, x.status, x.priority, x.channel, sum(x.created)::integer, sum(x.untagged)::integer, sum(x.fr_met)::integer, sum(x.fr_breached)::integer, sum(x.res_met)::integer, sum(x.res_breached)::integer
    from ticket t cross join lateral (
  select s.scope, s.id as scope_id, date_trunc('month', t.created_at at time zone 'UTC')::date as month, t.status, t.priority, t.channel,
         1 as created, (t.tag_ids = '{}')::integer as untagged,
         (t.first_responded_at is not null and t.first_response_breached_at is null)::integer as fr_met,
         (t.first_response_breached_at is not null)::integer as fr_breached,
         (t.resolved_at is not null and t.resolution_breached_at is null)::integer as res_met,
         (t.resolution_breached_at is not null)::integer as res_breached
    from (values ('B', t.business_id), (case when t.assignee_id is null then 'U' else 'A' end, coalesce(t.assignee_id, '00000000-0000-0000-0000-000000000000'::uuid))) as s(scope, id)
   where s.id is not null) as x
   group by 1, 2, 3, 4, 5, 6;`);
    this.addSql(`insert into report_scope_tag_month (scope, scope_id, month, tag_id, created) 
  select s.scope, s.id, date_trunc('month', t.created_at at time zone 'UTC')::date, tt.tag_id, count(*)::integer
    from ticket_tag tt join ticket t on t.id = tt.ticket_id cross join lateral (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id)
   where s.id is not null
   group by 1, 2, 3, 4;`);
    this.addSql(`create function ticket_report_scope_month() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_month_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_month_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_scope_month_change after insert or delete on ticket for each row execute function ticket_report_scope_month();`);
    this.addSql(`create trigger ticket_report_scope_month_update after update of business_id, assignee_id, created_at, status, priority, channel, tag_ids, first_responded_at, first_response_breached_at, resolved_at, resolution_breached_at on ticket
      for each row when ((old.business_id, old.assignee_id, old.created_at, old.status, old.priority, old.channel, old.tag_ids = '{}', old.first_responded_at is null, old.first_response_breached_at is null, old.resolved_at is null, old.resolution_breached_at is null) is distinct from (new.business_id, new.assignee_id, new.created_at, new.status, new.priority, new.channel, new.tag_ids = '{}', new.first_responded_at is null, new.first_response_breached_at is null, new.resolved_at is null, new.resolution_breached_at is null)) execute function ticket_report_scope_month();`);
    this.addSql(`create function ticket_report_scope_tag_month() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_tag_month_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_tag_month_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_scope_tag_month_change after insert or delete on ticket for each row execute function ticket_report_scope_tag_month();`);
    this.addSql(`create trigger ticket_report_scope_tag_month_update after update of business_id, assignee_id, created_at, tag_ids on ticket
      for each row when ((old.business_id, old.assignee_id, old.created_at, old.tag_ids) is distinct from (new.business_id, new.assignee_id, new.created_at, new.tag_ids)) execute function ticket_report_scope_tag_month();`);

    // The tickets whose first-response or resolution target is not settled yet, for the now-dependent part of slaCompliance.
    this.addSql(`create index ticket_sla_pending_idx on ticket (created_at)
      include (status, priority, channel, assignee_id, business_id, first_responded_at, first_response_due_at, resolved_at, due_at, sla_paused_since)
      where ((first_responded_at is null and first_response_breached_at is null) or (resolved_at is null and resolution_breached_at is null));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_sla_pending_idx;`);
    this.addSql(`drop trigger ticket_report_scope_month_change on ticket; drop trigger ticket_report_scope_month_update on ticket;
    drop function ticket_report_scope_month(); drop function report_scope_month_add(ticket, integer); drop table report_scope_month;`);
    this.addSql(`drop trigger ticket_report_scope_tag_month_change on ticket; drop trigger ticket_report_scope_tag_month_update on ticket;
    drop function ticket_report_scope_tag_month(); drop function report_scope_tag_month_add(ticket, integer); drop table report_scope_tag_month;`);
  }
}
