import { Migration } from '@mikro-orm/migrations';

/**
 * Macros (canned actions) and saved ticket views. Each is personal (`owner_id` set) or shared with
 * the team (`owner_id` null, managed by admins). A view keeps the ticket list's filter and ordering
 * as JSON in the shape of the `TicketFilter` and `TicketOrder` inputs.
 */
export class Migration20261207060000_macros_views extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table macro (
      id uuid primary key,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      name varchar(200) not null,
      owner_id uuid null references app_user (id) on delete cascade,
      comment_body text null,
      comment_internal boolean not null default false,
      status text null,
      priority text null,
      add_tags text[] not null default '{}',
      remove_tags text[] not null default '{}'
    );`);
    this.addSql(`create index macro_owner_idx on macro (owner_id, lower(name));`);
    this.addSql(`create table ticket_view (
      id uuid primary key,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      name varchar(200) not null,
      owner_id uuid null references app_user (id) on delete cascade,
      filter jsonb not null default '{}',
      order_by jsonb null
    );`);
    this.addSql(`create index ticket_view_owner_idx on ticket_view (owner_id, lower(name));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table ticket_view;`);
    this.addSql(`drop table macro;`);
  }
}
