import { Migration } from '@mikro-orm/migrations';

/**
 * `report_title_total`: tickets per title (case-blind `title_key`) of all time. A title's count in any
 * period is at most its total, so recurringIssues over all tickets sums report_title_month for the
 * titles of the largest totals only, until no other title can reach its most frequent ones.
 * Kept by a trigger under the timeline lock, as the other roll-ups (`npm run reports:rebuild -- --check`).
 */
export class Migration20261127110000_report_title_totals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_title_total (
      title_key bigint primary key,
      created integer not null default 0
    );`);
    this.addSql(`create index report_title_total_created_idx on report_title_total (created desc, title_key);`);
    this.addSql(`create function report_title_total_add(title bigint, created integer) returns void language sql as $$
      select pg_advisory_xact_lock(7411001);
      insert into report_title_total as r (title_key, created) values (title, created)
      on conflict (title_key) do update set created = r.created + excluded.created
    $$;`);
    this.addSql(`create function ticket_report_title_total() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_title_total_add(old.title_key, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_title_total_add(new.title_key, 1); end if;
        return null;
      end $$;`);
    this.addSql(`insert into report_title_total (title_key, created) select title_key, count(*)::integer from ticket group by 1;`);
    this.addSql(`create trigger ticket_report_title_total_change after insert or delete on ticket for each row execute function ticket_report_title_total();`);
    this.addSql(`create trigger ticket_report_title_total_update after update of title on ticket
      for each row when (old.title_key is distinct from new.title_key) execute function ticket_report_title_total();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger ticket_report_title_total_change on ticket; drop trigger ticket_report_title_total_update on ticket;
      drop function ticket_report_title_total(); drop function report_title_total_add(bigint, integer); drop table report_title_total;`);
  }
}
