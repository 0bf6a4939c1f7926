import { Migration } from '@mikro-orm/migrations';

/**
 * Two more counts that reports would otherwise take from a million rows, kept by the database as the
 * other roll-ups are (triggers, under the timeline lock; `npm run reports:rebuild -- --check`):
 *
 * - `report_assignment_day`: assignment entries per assignee (the one the entry names) and UTC day,
 *   for agentPerformance over all tickets;
 * - `report_title_month`: tickets created per title (case-blind `title_key`), spelling (`spelling_key`)
 *   and UTC month, for the recurring titles of all tickets and each one's most frequent spelling.
 *
 * A period's partial days or months at its edges are counted from the rows, by time.
 */
export class Migration20261127080000_report_counts extends Migration {
  override async up(): Promise<void> {
    // Assignment entries per assignee and UTC day, for agentPerformance over all tickets; a period's partial
    // days at its edges are counted from the entries, by time.
    this.addSql(`create table report_assignment_day (
      assignee_id uuid not null,
      day date not null,
      assigned integer not null default 0,
      primary key (assignee_id, day) include (assigned)
    );`);
    this.addSql(`create function report_assignment_day_add() returns trigger language plpgsql as $$
      declare
        e ticket_event := case when tg_op = 'DELETE' then old else new end;
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_assignment_day as r (assignee_id, day, assigned)
        values (e.assigned_to_id, (e.created_at at time zone 'UTC')::date, case when tg_op = 'DELETE' then -1 else 1 end)
        on conflict (assignee_id, day) do update set assigned = r.assigned + excluded.assigned;
        return null;
      end $$;`);
    this.addSql(`insert into report_assignment_day (assignee_id, day, assigned) 
  select assigned_to_id, (created_at at time zone 'UTC')::date, count(*)::integer from ticket_event where assigned_to_id is not null group by 1, 2;`);
    this.addSql(`create trigger ticket_event_assignment_day_insert after insert on ticket_event for each row when (new.assigned_to_id is not null)
      execute function report_assignment_day_add();`);
    this.addSql(`create trigger ticket_event_assignment_day_delete after delete on ticket_event for each row when (old.assigned_to_id is not null)
      execute function report_assignment_day_add();`);
    this.addSql(`create index ticket_event_assigned_at_idx on ticket_event (created_at) include (assigned_to_id) where assigned_to_id is not null;`);
    this.addSql(`create table report_title_month (
      title_key bigint not null,
      spelling_key bigint not null,
      month date not null,
      created integer not null default 0,
      primary key (title_key, spelling_key, month)
    );`);
    this.addSql(`create index report_title_month_idx on report_title_month (month) include (title_key, spelling_key, created);`);
    this.addSql(`create function report_title_month_add(title bigint, spelling bigint, at timestamptz, created integer) returns void language sql as $$
      select pg_advisory_xact_lock(7411001);
      insert into report_title_month as r (title_key, spelling_key, month, created)
      values (title, spelling, date_trunc('month', at at time zone 'UTC')::date, created)
      on conflict (title_key, spelling_key, month) do update set created = r.created + excluded.created
    $$;`);
    this.addSql(`create function ticket_report_title() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_title_month_add(old.title_key, old.spelling_key, old.created_at, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_title_month_add(new.title_key, new.spelling_key, new.created_at, 1); end if;
        return null;
      end $$;`);
    this.addSql(`insert into report_title_month (title_key, spelling_key, month, created) 
  select title_key, spelling_key, date_trunc('month', created_at at time zone 'UTC')::date, count(*)::integer from ticket group by 1, 2, 3;`);
    this.addSql(`create trigger ticket_report_title_change after insert or delete on ticket for each row execute function ticket_report_title();`);
    this.addSql(`create trigger ticket_report_title_update after update of title, created_at on ticket
      for each row when ((old.title, old.created_at) is distinct from (new.title, new.created_at)) execute function ticket_report_title();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger ticket_report_title_change on ticket; drop trigger ticket_report_title_update on ticket;
      drop function ticket_report_title(); drop function report_title_month_add(bigint, bigint, timestamptz, integer); drop table report_title_month;`);
    this.addSql(`drop index ticket_event_assigned_at_idx; drop trigger ticket_event_assignment_day_insert on ticket_event; drop trigger ticket_event_assignment_day_delete on ticket_event;
      drop function report_assignment_day_add(); drop table report_assignment_day;`);
  }
}
