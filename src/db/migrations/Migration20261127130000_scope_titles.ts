import { Migration } from '@mikro-orm/migrations';

/**
 * For recurringIssues over one business or one agent, whose titles do not compress into few rows (the
 * busiest agent's 41,000 tickets have 10,000 titles):
 *
 * - `report_scope_title_month`: tickets per business ('B') or assignee ('A'), title, UTC month of
 *   creation and spelling; `report_scope_title_total`: the same per title of all time. As over all
 *   tickets (report_title_total), only the titles of a scope's largest totals are summed per month,
 *   until no title left out can reach its most frequent ones.
 * - `report_agent_business_month` and `report_agent_business_total`: an agent's tickets per business,
 *   by month and of all time, for its recurring businesses in the same way.
 * - Indexes of each business's and agent's tickets by title, newest first: a clustered title's example
 *   tickets in one short walk, however rare the title is among the scope's other tickets.
 *
 * Each is kept from the ticket row by triggers under the timeline lock, as the other roll-ups
 * (`npm run reports:rebuild -- --check` compares them with the tickets).
 */
export class Migration20261127130000_scope_titles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_scope_title_month (scope char(1) check (scope in ('B', 'A')) not null, scope_id uuid not null, title_key bigint not null, month date not null, spelling_key bigint not null, created integer not null default 0, primary key (scope, scope_id, month, title_key, spelling_key) include (created));`);
    this.addSql(`create function report_scope_title_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_title_month as r (scope, scope_id, title_key, month, spelling_key, created) select k.*, sign from (select s.scope, s.id, t.title_key, date_trunc('month', t.created_at at time zone 'UTC')::date, t.spelling_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k
        on conflict (scope, scope_id, month, title_key, spelling_key) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_scope_title_month (scope, scope_id, title_key, month, spelling_key, created) select k0, k1, k2, k3, k4, count(*)::integer from ticket t cross join lateral (select s.scope, s.id, t.title_key, date_trunc('month', t.created_at at time zone 'UTC')::date, t.spelling_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k(k0, k1, k2, k3, k4) group by k0, k1, k2, k3, k4;`);
    this.addSql(`create function ticket_report_scope_title_month() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_title_month_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_title_month_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_scope_title_month_change after insert or delete on ticket for each row execute function ticket_report_scope_title_month();`);
    this.addSql(`create trigger ticket_report_scope_title_month_update after update of business_id, assignee_id, title, created_at on ticket
      for each row when ((old.business_id, old.assignee_id, old.title_key, old.spelling_key, old.created_at) is distinct from (new.business_id, new.assignee_id, new.title_key, new.spelling_key, new.created_at)) execute function ticket_report_scope_title_month();`);
    this.addSql(`create table report_scope_title_total (scope char(1) check (scope in ('B', 'A')) not null, scope_id uuid not null, title_key bigint not null, created integer not null default 0, primary key (scope, scope_id, title_key) include (created));`);
    this.addSql(`create function report_scope_title_total_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_title_total as r (scope, scope_id, title_key, created) select k.*, sign from (select s.scope, s.id, t.title_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k
        on conflict (scope, scope_id, title_key) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_scope_title_total (scope, scope_id, title_key, created) select k0, k1, k2, count(*)::integer from ticket t cross join lateral (select s.scope, s.id, t.title_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k(k0, k1, k2) group by k0, k1, k2;`);
    this.addSql(`create function ticket_report_scope_title_total() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_title_total_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_title_total_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_scope_title_total_change after insert or delete on ticket for each row execute function ticket_report_scope_title_total();`);
    this.addSql(`create trigger ticket_report_scope_title_total_update after update of business_id, assignee_id, title on ticket
      for each row when ((old.business_id, old.assignee_id, old.title_key) is distinct from (new.business_id, new.assignee_id, new.title_key)) execute function ticket_report_scope_title_total();`);
    this.addSql(`create table report_agent_business_month (assignee_id uuid not null, business_id uuid not null, month date not null, created integer not null default 0, primary key (assignee_id, business_id, month) include (created));`);
    this.addSql(`create function report_agent_business_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_agent_business_month as r (assignee_id, business_id, month, created) select k.*, sign from (select t.assignee_id, t.business_id, date_trunc('month', t.created_at at time zone 'UTC')::date where t.assignee_id is not null and t.business_id is not null) as k
        on conflict (assignee_id, business_id, month) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_agent_business_month (assignee_id, business_id, month, created) select k0, k1, k2, count(*)::integer from ticket t cross join lateral (select t.assignee_id, t.business_id, date_trunc('month', t.created_at at time zone 'UTC')::date where t.assignee_id is not null and t.business_id is not null) as k(k0, k1, k2) group by k0, k1, k2;`);
    this.addSql(`create function ticket_report_agent_business_month() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_agent_business_month_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_agent_business_month_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_agent_business_month_change after insert or delete on ticket for each row execute function ticket_report_agent_business_month();`);
    this.addSql(`create trigger ticket_report_agent_business_month_update after update of assignee_id, business_id, created_at on ticket
      for each row when ((old.assignee_id, old.business_id, old.created_at) is distinct from (new.assignee_id, new.business_id, new.created_at)) execute function ticket_report_agent_business_month();`);
    this.addSql(`create table report_agent_business_total (assignee_id uuid not null, business_id uuid not null, created integer not null default 0, primary key (assignee_id, business_id) include (created));`);
    this.addSql(`create function report_agent_business_total_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_agent_business_total as r (assignee_id, business_id, created) select k.*, sign from (select t.assignee_id, t.business_id where t.assignee_id is not null and t.business_id is not null) as k
        on conflict (assignee_id, business_id) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_agent_business_total (assignee_id, business_id, created) select k0, k1, count(*)::integer from ticket t cross join lateral (select t.assignee_id, t.business_id where t.assignee_id is not null and t.business_id is not null) as k(k0, k1) group by k0, k1;`);
    this.addSql(`create function ticket_report_agent_business_total() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_agent_business_total_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_agent_business_total_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_agent_business_total_change after insert or delete on ticket for each row execute function ticket_report_agent_business_total();`);
    this.addSql(`create trigger ticket_report_agent_business_total_update after update of assignee_id, business_id on ticket
      for each row when ((old.assignee_id, old.business_id) is distinct from (new.assignee_id, new.business_id)) execute function ticket_report_agent_business_total();`);

    // The largest totals of one scope first.
    this.addSql(`create index report_scope_title_total_created_idx on report_scope_title_total (scope, scope_id, created desc, title_key);`);
    this.addSql(`create index report_agent_business_total_created_idx on report_agent_business_total (assignee_id, created desc, business_id);`);
    this.addSql(`create index ticket_business_title_idx on ticket (business_id, title_key, created_at) include (id);`);
    this.addSql(`create index ticket_assignee_title_idx on ticket (assignee_id, title_key, created_at) include (id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_title_idx, ticket_assignee_title_idx;`);
    this.addSql(`drop trigger ticket_report_scope_title_month_change on ticket; drop trigger ticket_report_scope_title_month_update on ticket;
    drop function ticket_report_scope_title_month(); drop function report_scope_title_month_add(ticket, integer); drop table report_scope_title_month;`);
    this.addSql(`drop trigger ticket_report_scope_title_total_change on ticket; drop trigger ticket_report_scope_title_total_update on ticket;
    drop function ticket_report_scope_title_total(); drop function report_scope_title_total_add(ticket, integer); drop table report_scope_title_total;`);
    this.addSql(`drop trigger ticket_report_agent_business_month_change on ticket; drop trigger ticket_report_agent_business_month_update on ticket;
    drop function ticket_report_agent_business_month(); drop function report_agent_business_month_add(ticket, integer); drop table report_agent_business_month;`);
    this.addSql(`drop trigger ticket_report_agent_business_total_change on ticket; drop trigger ticket_report_agent_business_total_update on ticket;
    drop function ticket_report_agent_business_total(); drop function report_agent_business_total_add(ticket, integer); drop table report_agent_business_total;`);
  }
}
