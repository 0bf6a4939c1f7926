import { Migration } from '@mikro-orm/migrations';
import { TIMELINE_LOCK } from '../locks';
import { fillRollUp } from '../../modules/reports/report-digests';
import { dropTicketShareRollUp, ticketShareTriggers } from './ticket-share-triggers';

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
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into report_business_assignment_month as r (business_id, month, assignee_id, assigned)
        select t.business_id, date_trunc('month', a.at at time zone 'UTC')::date, a.agent, sign * count(*)
          from unnest(t.assigned_at, t.assigned_to) as a(at, agent)
         group by 2, 3
        on conflict (business_id, month, assignee_id) do update set assigned = r.assigned + excluded.assigned;
      end $$;`);
    this.addSql(`${fillRollUp('report_business_assignment_month')};`);
    for (const statement of ticketShareTriggers('report_business_assignment_month', ['business_id', 'assigned_at', 'assigned_to'])) this.addSql(statement);
    this.addSql(`create index ticket_business_open_idx on ticket (business_id) include (assignee_id) where status not in ('RESOLVED', 'CLOSED');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_open_idx;`);
    this.addSql(dropTicketShareRollUp('report_business_assignment_month'));
  }
}
