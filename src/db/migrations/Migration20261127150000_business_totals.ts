import { Migration } from '@mikro-orm/migrations';

/**
 * `report_business_total`: tickets per business of all time. recurringIssues over all tickets sums
 * report_scope_month's business months only for the businesses of the largest totals (see
 * topOfLargest), instead of counting a million tickets' businesses.
 */
export class Migration20261127150000_business_totals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_business_total (business_id uuid not null, created integer not null default 0, primary key (business_id) include (created));`);
    this.addSql(`create function report_business_total_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_business_total as r (business_id, created) select k.*, sign from (select t.business_id where t.business_id is not null) as k
        on conflict (business_id) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_business_total (business_id, created) select k0, count(*)::integer from ticket t cross join lateral (select t.business_id where t.business_id is not null) as k(k0) group by k0;`);
    this.addSql(`create function ticket_report_business_total() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_business_total_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_business_total_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_business_total_change after insert or delete on ticket for each row execute function ticket_report_business_total();`);
    this.addSql(`create trigger ticket_report_business_total_update after update of business_id on ticket
      for each row when ((old.business_id) is distinct from (new.business_id)) execute function ticket_report_business_total();`);
    this.addSql(`create index report_business_total_created_idx on report_business_total (created desc, business_id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger ticket_report_business_total_change on ticket; drop trigger ticket_report_business_total_update on ticket;
    drop function ticket_report_business_total(); drop function report_business_total_add(ticket, integer); drop table report_business_total;`);
  }
}
