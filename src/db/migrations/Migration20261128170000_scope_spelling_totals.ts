import { Migration } from '@mikro-orm/migrations';
import { dropTicketShareRollUp, ticketKeyRollUp } from './ticket-share-triggers';

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
    for (const statement of ticketKeyRollUp('report_scope_spelling_total')) this.addSql(statement);
    this.addSql(`alter table report_scope_title_month drop constraint report_scope_title_month_pkey,
      add primary key (scope, scope_id, month, title_key, spelling_key) include (created);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table report_scope_title_month drop constraint report_scope_title_month_pkey,
      add primary key (scope, scope_id, title_key, month, spelling_key) include (created);`);
    this.addSql(dropTicketShareRollUp('report_scope_spelling_total'));
  }
}
