import { Migration } from '@mikro-orm/migrations';

/**
 * recurringIssues over one business or agent sums the title-months of its most frequent titles. Over a
 * long period that is nearly every row the scope has (the busiest agent: 22,000), though few months lie
 * outside the period. So:
 *
 * - `report_scope_spelling_total`: tickets per business or assignee, title and spelling, of all time; a
 *   period is counted as these totals less the months outside it when those are fewer than its own.
 * - `report_scope_title_month` keyed by month first, so that either side reads only its own months.
 */
export class Migration20261128170000_scope_spelling_totals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_scope_spelling_total (scope char(1) check (scope in ('B', 'A')) not null, scope_id uuid not null, title_key bigint not null, spelling_key bigint not null, created integer not null default 0, primary key (scope, scope_id, title_key, spelling_key) include (created));`);
    this.addSql(`create function report_scope_spelling_total_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_scope_spelling_total as r (scope, scope_id, title_key, spelling_key, created) select k.*, sign from (select s.scope, s.id, t.title_key, t.spelling_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k
        on conflict (scope, scope_id, title_key, spelling_key) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_scope_spelling_total (scope, scope_id, title_key, spelling_key, created) select k0, k1, k2, k3, count(*)::integer from ticket t cross join lateral (select s.scope, s.id, t.title_key, t.spelling_key from (values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id) where s.id is not null) as k(k0, k1, k2, k3) group by k0, k1, k2, k3;`);
    this.addSql(`create function ticket_report_scope_spelling_total() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_scope_spelling_total_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_scope_spelling_total_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_scope_spelling_total_change after insert or delete on ticket for each row execute function ticket_report_scope_spelling_total();`);
    this.addSql(`create trigger ticket_report_scope_spelling_total_update after update of business_id, assignee_id, title on ticket
      for each row when ((old.business_id, old.assignee_id, old.title_key, old.spelling_key) is distinct from (new.business_id, new.assignee_id, new.title_key, new.spelling_key)) execute function ticket_report_scope_spelling_total();`);
    this.addSql(`alter table report_scope_title_month drop constraint report_scope_title_month_pkey,
      add primary key (scope, scope_id, month, title_key, spelling_key) include (created);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table report_scope_title_month drop constraint report_scope_title_month_pkey,
      add primary key (scope, scope_id, title_key, month, spelling_key) include (created);`);
    this.addSql(`drop trigger ticket_report_scope_spelling_total_change on ticket; drop trigger ticket_report_scope_spelling_total_update on ticket;
    drop function ticket_report_scope_spelling_total(); drop function report_scope_spelling_total_add(ticket, integer); drop table report_scope_spelling_total;`);
  }
}
