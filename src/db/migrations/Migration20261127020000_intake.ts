import { Migration } from '@mikro-orm/migrations';

/**
 * Intake: monitoring alerts deduplicated by key, idempotent ticket creation, email threading and
 * attachments, and the indexes that make sender matching and fuzzy business search fast.
 */
export class Migration20261127020000_intake extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ticket add column dedup_key varchar(200), add column occurrences integer not null default 1;`);
    // One open ticket per alert: a repeat of the alert lands on it until it is closed.
    this.addSql(`create unique index ticket_dedup_key_idx on ticket (dedup_key) where dedup_key is not null and status <> 'CLOSED';`);

    this.addSql(`create table idempotency_key (
      owner varchar(80) not null,
      key varchar(200) not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      created_at timestamptz not null,
      primary key (owner, key)
    );`);

    this.addSql(`create table email_message (
      id uuid primary key,
      created_at timestamptz not null,
      message_id varchar(998) not null unique,
      ticket_id uuid not null references ticket (id) on delete cascade,
      comment_id uuid references comment (id) on delete set null,
      direction varchar(8) not null check (direction in ('INBOUND', 'OUTBOUND'))
    );`);
    this.addSql(`create index email_message_ticket_idx on email_message (ticket_id);`);

    this.addSql(`create table attachment (
      id uuid primary key,
      created_at timestamptz not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      comment_id uuid references comment (id) on delete cascade,
      filename varchar(255) not null,
      content_type varchar(255) not null,
      size_bytes integer not null
    );`);
    this.addSql(`create index attachment_ticket_idx on attachment (ticket_id);`);

    // Sender matching: contacts by the domain of their email; business search by domain prefix
    // (text_pattern_ops serves LIKE 'prefix%' whatever the collation) and by name (trigram index, exists).
    this.addSql(`create index contact_email_domain_idx on contact (split_part(email, '@', 2));`);
    this.addSql(`create index business_domain_prefix_idx on business (lower(domain) text_pattern_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists contact_email_domain_idx, business_domain_prefix_idx;`);
    this.addSql(`drop table if exists attachment, email_message, idempotency_key;`);
    this.addSql(`drop index if exists ticket_dedup_key_idx;`);
    this.addSql(`alter table ticket drop column dedup_key, drop column occurrences;`);
  }
}
