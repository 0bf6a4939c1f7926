import { Migration } from '@mikro-orm/migrations';
import { TIMELINE_LOCK } from '../locks';
import { fillRollUp, TICKET_KEY_ROLL_UPS } from '../../modules/reports/report-digests';
import { dropTicketShareRollUp, ticketShareTriggers } from './ticket-share-triggers';

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
    for (const [table, { keys, ofTicket }] of Object.entries(TICKET_KEY_ROLL_UPS)) {
      const columns = keys.map((key) => `${key} ${COLUMN_TYPES[key]} not null`).join(', ');
      this.addSql(`create table ${table} (${columns}, created integer not null default 0, primary key (${keys.join(', ')}) include (created));`);
      this.addSql(`create function ${table}_add(t ticket, sign integer) returns void language plpgsql as $$
        begin
          perform pg_advisory_xact_lock(${TIMELINE_LOCK});
          insert into ${table} as r (${keys.join(', ')}, created) select k.*, sign from (${ofTicket}) as k
          on conflict (${keys.join(', ')}) do update set created = r.created + excluded.created;
        end $$;`);
      this.addSql(`${fillRollUp(table)};`);
      for (const statement of ticketShareTriggers(table, ['business_id', 'assignee_id', 'title', 'created_at'], ['business_id', 'assignee_id', 'title_key', 'created_at'])) {
        this.addSql(statement);
      }
    }
    // The largest totals of one scope first.
    this.addSql(`create index report_scope_title_total_created_idx on report_scope_title_total (scope, scope_id, created desc, title_key);`);
    this.addSql(`create index report_agent_business_total_created_idx on report_agent_business_total (assignee_id, created desc, business_id);`);
    this.addSql(`create index ticket_business_title_idx on ticket (business_id, title_key, created_at) include (id);`);
    this.addSql(`create index ticket_assignee_title_idx on ticket (assignee_id, title_key, created_at) include (id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_title_idx, ticket_assignee_title_idx;`);
    for (const table of Object.keys(TICKET_KEY_ROLL_UPS)) this.addSql(dropTicketShareRollUp(table));
  }
}

const COLUMN_TYPES: Record<string, string> = {
  scope: "char(1) check (scope in ('B', 'A'))",
  scope_id: 'uuid',
  title_key: 'bigint',
  spelling_key: 'bigint',
  month: 'date',
  assignee_id: 'uuid',
  business_id: 'uuid',
};
