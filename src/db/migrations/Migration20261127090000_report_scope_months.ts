import { Migration } from '@mikro-orm/migrations';
import { TIMELINE_LOCK } from '../locks';
import { dropTicketShareRollUp, ticketShareTriggers } from './ticket-share-triggers';
import { fillRollUp, SCOPE_MONTH_COUNTS, SCOPE_MONTH_OF_TICKET, SLA_PENDING } from '../../modules/reports/report-digests';

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
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into report_scope_month as r (scope, scope_id, month, status, priority, channel, ${SCOPE_MONTH_COUNTS.join(', ')})
        select scope, scope_id, month, status, priority, channel, ${SCOPE_MONTH_COUNTS.map((column) => `sign * ${column}`).join(', ')}
          from (${SCOPE_MONTH_OF_TICKET}) as x
        on conflict (scope, scope_id, month, status, priority, channel) do update
          set ${SCOPE_MONTH_COUNTS.map((column) => `${column} = r.${column} + excluded.${column}`).join(', ')};
      end $$;`);
    const scopes = `(values ('B', t.business_id), ('A', t.assignee_id)) as s(scope, id)`;
    const month = `date_trunc('month', t.created_at at time zone 'UTC')::date`;
    this.addSql(`create function report_scope_tag_month_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into report_scope_tag_month as r (scope, scope_id, month, tag_id, created)
        select s.scope, s.id, ${month}, tag.id, sign
          from ${scopes} cross join unnest(t.tag_ids) as tag(id) where s.id is not null
        on conflict (scope, scope_id, month, tag_id) do update set created = r.created + excluded.created;
      end $$;`);
    for (const table of ['report_scope_month', 'report_scope_tag_month']) this.addSql(`${fillRollUp(table)};`);
    const placed = ['business_id', 'assignee_id', 'created_at'];
    const outcomes = ['first_responded_at', 'first_response_breached_at', 'resolved_at', 'resolution_breached_at'];
    const triggers = [
      ...ticketShareTriggers(
        'report_scope_month',
        [...placed, 'status', 'priority', 'channel', 'tag_ids', ...outcomes],
        [...placed, 'status', 'priority', 'channel', `tag_ids = '{}'`, ...outcomes.map((column) => `${column} is null`)],
      ),
      // Status changes are frequent: the tag counts do not follow them.
      ...ticketShareTriggers('report_scope_tag_month', [...placed, 'tag_ids']),
    ];
    for (const statement of triggers) this.addSql(statement);

    // The tickets whose first-response or resolution target is not settled yet, for the now-dependent part of slaCompliance.
    this.addSql(`create index ticket_sla_pending_idx on ticket (created_at)
      include (status, priority, channel, assignee_id, business_id, first_responded_at, first_response_due_at, resolved_at, due_at, sla_paused_since)
      where ${SLA_PENDING};`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_sla_pending_idx;`);
    for (const table of ['report_scope_month', 'report_scope_tag_month']) this.addSql(dropTicketShareRollUp(table));
  }
}
