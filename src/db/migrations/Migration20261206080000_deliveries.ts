import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox of everything sent outward (mail, webhooks). Feed consumers insert rows in the transaction
 * that moves their checkpoint, so each delivery is decided exactly once; the dispatcher claims due rows
 * with `skip locked` and sends them at least once. `dedup_key` makes a second decision for the same
 * thing a no-op.
 */
export class Migration20261206080000_deliveries extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table delivery (
      id uuid primary key,
      channel varchar(16) not null check (channel in ('MAIL', 'WEBHOOK')),
      target varchar(320) not null,
      ticket_id uuid null references ticket (id) on delete set null,
      dedup_key varchar(300) not null,
      payload jsonb not null,
      status varchar(16) not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED')),
      attempts int not null default 0,
      next_attempt_at timestamptz not null,
      last_attempt_at timestamptz null,
      last_error text null,
      response_code int null,
      duration_ms int null,
      delivered_at timestamptz null,
      created_at timestamptz not null
    );`);
    this.addSql(`create unique index delivery_dedup_key_idx on delivery (dedup_key);`);
    this.addSql(`create index delivery_due_idx on delivery (next_attempt_at) where status = 'PENDING';`);
    this.addSql(`create index delivery_target_idx on delivery (channel, target, created_at desc);`);
    this.addSql(`create index delivery_ticket_idx on delivery (ticket_id) where ticket_id is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table delivery;`);
  }
}
