import { Migration } from '@mikro-orm/migrations';

/**
 * `report_title_spelling`: each spelling of a title as written, its trigrams and its tickets. The
 * most frequent titles of a recurringIssues report are shown and compared from it (one index probe
 * per title) rather than from a ticket of each (a visit to the ticket table per title). Kept from the
 * ticket row as the other roll-ups (as report_scope_title_month).
 */
export class Migration20261127140000_title_spellings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_title_spelling (spelling_key bigint not null, title text not null, trigrams text not null, created integer not null default 0, primary key (spelling_key) include (created));`);
    this.addSql(`create function report_title_spelling_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7411001);
        insert into report_title_spelling as r (spelling_key, title, trigrams, created) select k.*, sign from (select t.spelling_key, t.title, array_to_string(show_trgm(lower(t.title)), '|')) as k
        on conflict (spelling_key) do update set created = r.created + excluded.created;
      end $$;`);
    this.addSql(`insert into report_title_spelling (spelling_key, title, trigrams, created) select k0, k1, k2, count(*)::integer from ticket t cross join lateral (select t.spelling_key, t.title, array_to_string(show_trgm(lower(t.title)), '|')) as k(k0, k1, k2) group by k0, k1, k2;`);
    this.addSql(`create function ticket_report_title_spelling() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform report_title_spelling_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform report_title_spelling_add(new, 1); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger ticket_report_title_spelling_change after insert or delete on ticket for each row execute function ticket_report_title_spelling();`);
    this.addSql(`create trigger ticket_report_title_spelling_update after update of title on ticket
      for each row when ((old.title) is distinct from (new.title)) execute function ticket_report_title_spelling();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger ticket_report_title_spelling_change on ticket; drop trigger ticket_report_title_spelling_update on ticket;
    drop function ticket_report_title_spelling(); drop function report_title_spelling_add(ticket, integer); drop table report_title_spelling;`);
  }
}
