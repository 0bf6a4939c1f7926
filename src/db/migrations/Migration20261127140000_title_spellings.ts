import { Migration } from '@mikro-orm/migrations';
import { dropTicketShareRollUp, ticketKeyRollUp } from './ticket-share-triggers';

/**
 * `report_title_spelling`: each spelling of a title as written, its trigrams and its tickets. The
 * most frequent titles of a recurringIssues report are shown and compared from it (one index probe
 * per title) rather than from a ticket of each (a visit to the ticket table per title). Kept from the
 * ticket row as the other roll-ups (see ticketKeyRollUp).
 */
export class Migration20261127140000_title_spellings extends Migration {
  override async up(): Promise<void> {
    for (const statement of ticketKeyRollUp('report_title_spelling')) this.addSql(statement);
  }

  override async down(): Promise<void> {
    this.addSql(dropTicketShareRollUp('report_title_spelling'));
  }
}
