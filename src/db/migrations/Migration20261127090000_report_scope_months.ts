import { Migration } from '@mikro-orm/migrations';
import { TIMELINE_LOCK } from '../locks';
import { fillRollUp } from '../../modules/reports/report-digests';

/**
 * Counts of one business's or one agent's tickets by month, so that a report over the busiest of them
 * reads a few hundred rows instead of tens of thousands (kept by triggers under the timeline lock, as
 * the other roll-ups; `npm run reports:rebuild -- --check`):
 *
 * - `report_scope_month`: tickets created per business ('B') and per assignee ('A'), UTC month, and
 *   the ticket's current status, priority and channel, with how many of them have no tag: volume by
 *   those dimensions, and the tickets open now (every month, open statuses);
 * - `report_scope_tag_month`: the same per tag, for volume by tag and recurring tags.
 *
 * A period's partial months at its edges are counted from the rows.
 */
export class Migration20261127090000_report_scope_months extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table report_scope_month (
      scope char(1) not null check (scope in ('B', 'A')),
      scope_id uuid not null,
      month date not null,
      status text not null,
      priority text not null,
      channel text not null,
      created integer not null default 0,
      untagged integer not null default 0,
      primary key (scope, scope_id, month, status, priority, channel) include (created, untagged)
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
    const scopes = `(values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id)`;
    const month = `date_trunc('month', t.created_at at time zone 'UTC')::date`;
    this.addSql(`create function report_scope_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into report_scope_month as r (scope, scope_id, month, status, priority, channel, created, untagged)
        select s.scope, s.id, ${month}, t.status, t.priority, t.channel, sign, sign * (t.tag_ids = '{}')::integer
          from ${scopes} where s.id is not null
        on conflict (scope, scope_id, month, status, priority, channel) do update
          set created = r.created + excluded.created, untagged = r.untagged + excluded.untagged;
      end $$;`);
    this.addSql(`create function report_scope_tag_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into report_scope_tag_month as r (scope, scope_id, month, tag_id, created)
        select s.scope, s.id, ${month}, tag.id, sign
          from ${scopes} cross join unnest(t.tag_ids) as tag(id) where s.id is not null
        on conflict (scope, scope_id, month, tag_id) do update set created = r.created + excluded.created;
      end $$;`);
    for (const table of ['report_scope_month', 'report_scope_tag_month']) {
      this.addSql(`create function ticket_${table}() returns trigger language plpgsql as $$
        begin
          if tg_op in ('DELETE', 'UPDATE') then perform ${table}_add(old, -1); end if;
          if tg_op in ('INSERT', 'UPDATE') then perform ${table}_add(new, 1); end if;
          return null;
        end $$;`);
      this.addSql(`${fillRollUp(table)};`);
      this.addSql(`create trigger ticket_${table}_change after insert or delete on ticket for each row execute function ticket_${table}();`);
    }
    // Status changes are frequent: the tag counts do not follow them.
    const update = (table: string, columns: string[], compared: string[]) => {
      const row = (alias: string) => compared.map((column) => `${alias}.${column}`).join(', ');
      this.addSql(`create trigger ticket_${table}_update after update of ${columns.join(', ')} on ticket
        for each row when ((${row('old')}) is distinct from (${row('new')})) execute function ticket_${table}();`);
    };
    const placed = ['business_id', 'assignee_id', 'created_at'];
    update('report_scope_month', [...placed, 'status', 'priority', 'channel', 'tag_ids'], [...placed, 'status', 'priority', 'channel', `tag_ids = '{}'`]);
    update('report_scope_tag_month', [...placed, 'tag_ids'], [...placed, 'tag_ids']);
  }

  override async down(): Promise<void> {
    for (const table of ['report_scope_month', 'report_scope_tag_month']) {
      this.addSql(`drop trigger ticket_${table}_change on ticket; drop trigger ticket_${table}_update on ticket;
        drop function ticket_${table}(); drop function ${table}_add(ticket, integer); drop table ${table};`);
    }
  }
}
