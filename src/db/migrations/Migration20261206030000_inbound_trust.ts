import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound mail trust: a comment kept from an email that could not act as its sender says why
 * (`email_check`); an automatic message that answered no ticket is recorded without one; and the
 * Message-ID of a message that was not believed does not prove a thread (`proves_thread`).
 */
export class Migration20261206030000_inbound_trust extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table comment add column email_check text
      check (email_check in ('SENDER_UNVERIFIED', 'AUTOMATIC', 'THREAD_UNVERIFIED'));`);
    this.addSql(`alter table email_message alter column ticket_id drop not null,
      add column proves_thread boolean not null default true;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from email_message where ticket_id is null;`);
    this.addSql(`alter table email_message alter column ticket_id set not null, drop column proves_thread;`);
    this.addSql(`alter table comment drop column email_check;`);
  }
}
