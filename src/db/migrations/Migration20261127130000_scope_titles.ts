import { Migration } from '@mikro-orm/migrations';
import { dropTicketShareRollUp, ticketKeyRollUp } from './ticket-share-triggers';

const TABLES = ['report_scope_title_month', 'report_scope_title_total', 'report_agent_business_month', 'report_agent_business_total'];

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
    for (const table of TABLES) for (const statement of ticketKeyRollUp(table)) this.addSql(statement);
    // The largest totals of one scope first.
    this.addSql(`create index report_scope_title_total_created_idx on report_scope_title_total (scope, scope_id, created desc, title_key);`);
    this.addSql(`create index report_agent_business_total_created_idx on report_agent_business_total (assignee_id, created desc, business_id);`);
    this.addSql(`create index ticket_business_title_idx on ticket (business_id, title_key, created_at) include (id);`);
    this.addSql(`create index ticket_assignee_title_idx on ticket (assignee_id, title_key, created_at) include (id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_title_idx, ticket_assignee_title_idx;`);
    for (const table of TABLES) this.addSql(dropTicketShareRollUp(table));
  }
}
