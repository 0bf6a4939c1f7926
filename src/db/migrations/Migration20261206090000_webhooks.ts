import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook endpoints (Standard Webhooks). Their messages are rows of the delivery outbox
 * (channel WEBHOOK, target = the endpoint's id); this table holds only the endpoints. The secret is
 * kept as it is, since it signs every message.
 */
export class Migration20261206090000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table webhook_endpoint (
      id uuid primary key,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      url text not null,
      events text[] not null check (cardinality(events) > 0),
      description text,
      include_internal boolean not null default false,
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      disabled_at timestamptz,
      disabled_reason varchar(20) check (disabled_reason in ('BY_ADMIN', 'GONE', 'FAILING')),
      failing_since timestamptz,
      created_by_id uuid references app_user (id) on delete set null,
      check ((disabled_at is null) = (disabled_reason is null))
    );`);
    this.addSql(`create index webhook_endpoint_created_idx on webhook_endpoint (created_at desc, id desc);`);
    // The 'webhooks' consumer starts at the upgrade: an endpoint only hears of later changes, so reading
    // the history before it would post nothing and cost a pass over the whole timeline.
    this.addSql(`insert into feed_checkpoint (consumer, position) values ('webhooks', timeline_watermark()) on conflict (consumer) do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from feed_checkpoint where consumer = 'webhooks';`);
    this.addSql(`drop table webhook_endpoint;`);
  }
}
