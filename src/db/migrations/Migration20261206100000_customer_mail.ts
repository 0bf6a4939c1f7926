import { Migration } from '@mikro-orm/migrations';

/**
 * Customer mail: what we know about each address we write to (its unsubscribe token, whether it turned
 * optional mail off, whether it bounced hard), an index to find a mail's delivery by its Message-ID
 * (an inbound bounce names it), and the `customer-mail` consumer's checkpoint at the watermark of the
 * upgrade, so an existing database does not mail its whole history.
 */
export class Migration20261206100000_customer_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table mail_recipient (
      id uuid primary key,
      email varchar(320) not null,
      unsubscribe_token varchar(64) not null,
      unsubscribed_at timestamptz null,
      bounced_at timestamptz null,
      bounce_reason text null,
      created_at timestamptz not null
    );`);
    this.addSql(`create unique index mail_recipient_email_idx on mail_recipient (email);`);
    this.addSql(`create unique index mail_recipient_unsubscribe_token_idx on mail_recipient (unsubscribe_token);`);
    this.addSql(`create index delivery_mail_message_id_idx on delivery ((payload ->> 'messageId')) where channel = 'MAIL';`);
    this.addSql(`insert into feed_checkpoint (consumer, position) values ('customer-mail', timeline_watermark()) on conflict (consumer) do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from feed_checkpoint where consumer = 'customer-mail';`);
    this.addSql(`drop index delivery_mail_message_id_idx;`);
    this.addSql(`drop table mail_recipient;`);
  }
}
