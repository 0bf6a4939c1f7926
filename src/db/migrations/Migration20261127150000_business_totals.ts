import { Migration } from '@mikro-orm/migrations';
import { dropTicketShareRollUp, ticketKeyRollUp } from './ticket-share-triggers';

/**
 * `report_business_total`: tickets per business of all time. recurringIssues over all tickets sums
 * report_scope_month's business months only for the businesses of the largest totals (see
 * topOfLargest), instead of counting a million tickets' businesses.
 */
export class Migration20261127150000_business_totals extends Migration {
  override async up(): Promise<void> {
    for (const statement of ticketKeyRollUp('report_business_total')) this.addSql(statement);
    this.addSql(`create index report_business_total_created_idx on report_business_total (created desc, business_id);`);
  }

  override async down(): Promise<void> {
    this.addSql(dropTicketShareRollUp('report_business_total'));
  }
}
