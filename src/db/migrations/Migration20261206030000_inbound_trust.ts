import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound mail trust: a comment kept from an email that could not act as its sender says why
 * (`email_check`), and an automatic message that answered no ticket is recorded without one.
 */
export class Migration20261206030000_inbound_trust extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table comment add column email_check text
      check (email_check in ('SENDER_UNVERIFIED', 'AUTOMATIC', 'THREAD_UNVERIFIED'));`);
    this.addSql(`alter table email_message alter column ticket_id drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from email_message where ticket_id is null;`);
    this.addSql(`alter table email_message alter column ticket_id set not null;`);
    this.addSql(`alter table comment drop column email_check;`);
  }
}
