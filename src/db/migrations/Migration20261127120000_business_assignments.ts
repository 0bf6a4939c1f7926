import { Migration } from '@mikro-orm/migrations';

/**
 * For agentPerformance over one business:
 *
 * - `report_business_assignment_month`: assignment entries per business (the ticket's current one),
 *   assignee (the one the entry names) and UTC month, kept from the assignments on the ticket row (a
 *   change of business moves them all), under the timeline lock as the other roll-ups;
 * - `ticket_business_open_idx`: a business's open tickets and their assignees, for its agents' open load.
 */
export class Migration20261127120000_business_assignments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_business_assignment_month (
      business_id uuid not null,
      month date not null,
      assignee_id uuid not null,
      assigned integer not null default 0,
      primary key (business_id, month, assignee_id) include (assigned)
    );`);
    this.addSql(`create function report_business_assignment_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        if t.business_id is null or cardinality(t.assigned_at) = 0 then return; end if;
        perform pg_advisory_xact_lock(7411001);
        insert into report_business_assignment_month as r (business_id, month, assignee_id, assigned)
        select t.business_id, date_trunc('month', a.at at time zone 'UTC')::date, a.agent, sign * count(*)
          from unnest(t.assigned_at, t.assigned_to) as a(at, agent)
         group by 2, 3
        on conflict (business_id, month, assignee_id) do update set assigned = r.assigned + excluded.assigned;
      end $$;`);
    this.addSql(`insert into report_business_assignment_month (business_id, month, assignee_id, assigned) 
  select t.business_id, date_trunc('month', e.created_at at time zone 'UTC')::date, e.assigned_to_id, count(*)::integer
    from ticket_event e join ticket t on t.id = e.ticket_id
   where e.assigned_to_id is not null and t.business_id is not null
   group by 1, 2, 3;`);
    this.addSql(`create function ticket_report_business_assignment_month() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_business_assignment_month_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_business_assignment_month_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_business_assignment_month_change after insert or delete on ticket for each row execute function ticket_report_business_assignment_month();`);
    this.addSql(`create trigger ticket_report_business_assignment_month_update after update of business_id, assigned_at, assigned_to on ticket
      for each row when ((old.business_id, old.assigned_at, old.assigned_to) is distinct from (new.business_id, new.assigned_at, new.assigned_to)) execute function ticket_report_business_assignment_month();`);
    this.addSql(`create index ticket_business_open_idx on ticket (business_id) include (assignee_id) where status not in ('RESOLVED', 'CLOSED');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_open_idx;`);
    this.addSql(`drop trigger ticket_report_business_assignment_month_change on ticket; drop trigger ticket_report_business_assignment_month_update on ticket;
    drop function ticket_report_business_assignment_month(); drop function report_business_assignment_month_add(ticket, integer); drop table report_business_assignment_month;`);
  }
}
