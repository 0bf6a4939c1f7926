import { Migration } from '@mikro-orm/migrations';

/**
 * Staff notifications and the time-based timeline entries that cause some of them.
 *
 * - `notification`: one in-app notification for one staff member. `key` names what it is about and for
 *   whom, so the same thing is never notified twice.
 * - `notification_preference`: a member's choices that differ from the defaults (per event and channel).
 * - `ticket.*_at_risk_at` and `follow_up.due_recorded_at`: the marks the jobs set, under `skip locked`,
 *   when they record an SLA_AT_RISK or FOLLOW_UP_DUE entry, so each is recorded once.
 * - The 'notifications' consumer starts at the watermark: changes made before it existed notify nobody.
 */
export class Migration20261206110000_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table notification (
      id uuid primary key,
      created_at timestamptz not null,
      recipient_id uuid not null references app_user (id) on delete cascade,
      event varchar(32) not null,
      key varchar(300) not null,
      ticket_id uuid null references ticket (id) on delete cascade,
      title text not null,
      details jsonb not null default '{}',
      read_at timestamptz null
    );`);
    this.addSql(`create unique index notification_key_idx on notification (key);`);
    this.addSql(`create index notification_recipient_idx on notification (recipient_id, created_at desc, id desc);`);
    this.addSql(`create index notification_unread_idx on notification (recipient_id, created_at desc, id desc) where read_at is null;`);
    this.addSql(`create index notification_ticket_idx on notification (ticket_id) where ticket_id is not null;`);

    this.addSql(`create table notification_preference (
      user_id uuid not null references app_user (id) on delete cascade,
      event varchar(32) not null,
      channel varchar(16) not null,
      enabled boolean not null,
      updated_at timestamptz not null,
      primary key (user_id, event, channel)
    );`);

    this.addSql(`alter table ticket add column first_response_at_risk_at timestamptz null, add column resolution_at_risk_at timestamptz null;`);
    this.addSql(`alter table follow_up add column due_recorded_at timestamptz null;`);
    this.addSql(`create index follow_up_due_unrecorded_idx on follow_up (due_at) where completed_at is null and due_recorded_at is null;`);

    this.addSql(`insert into feed_checkpoint (consumer, position) values ('notifications', timeline_watermark())
      on conflict (consumer) do update set position = excluded.position, updated_at = now();`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from feed_checkpoint where consumer = 'notifications';`);
    this.addSql(`drop index follow_up_due_unrecorded_idx;`);
    this.addSql(`alter table follow_up drop column due_recorded_at;`);
    this.addSql(`alter table ticket drop column first_response_at_risk_at, drop column resolution_at_risk_at;`);
    this.addSql(`drop table notification_preference;`);
    this.addSql(`drop table notification;`);
  }
}
