import { Migration } from '@mikro-orm/migrations';

/**
 * Access lifecycle: server-side sessions (a token names its row, so one can be ended), deactivated
 * staff and contact logins, API key rotation with a grace period, and the audit log.
 */
export class Migration20261206010000_access_lifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user add column deactivated_at timestamptz;`);
    this.addSql(`alter table contact add column deactivated_at timestamptz;`);

    // The secret replaced by the last rotation, accepted until previous_key_expires_at.
    this.addSql(`alter table api_key add column previous_key_hash varchar(64), add column previous_key_expires_at timestamptz;`);
    this.addSql(`create unique index api_key_previous_key_hash_idx on api_key (previous_key_hash) where previous_key_hash is not null;`);
    this.addSql(`create index api_key_created_idx on api_key (created_at desc, id desc);`);

    this.addSql(`create table auth_session (
      id uuid primary key,
      created_at timestamptz not null,
      user_id uuid references app_user (id) on delete cascade,
      contact_id uuid references contact (id) on delete cascade,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      client_address varchar(100),
      check ((user_id is null) <> (contact_id is null))
    );`);
    this.addSql(`create index auth_session_user_idx on auth_session (user_id) where user_id is not null;`);
    this.addSql(`create index auth_session_contact_idx on auth_session (contact_id) where contact_id is not null;`);

    this.addSql(`create table audit_entry (
      id uuid primary key,
      created_at timestamptz not null,
      action varchar(40) not null,
      actor_type varchar(20) not null,
      actor_id uuid,
      actor_name varchar(320),
      target_type varchar(20),
      target_id uuid,
      target_name varchar(320),
      client_address varchar(100),
      details jsonb not null default '{}'
    );`);
    this.addSql(`create index audit_entry_created_idx on audit_entry (created_at desc, id desc);`);
    this.addSql(`create index audit_entry_action_idx on audit_entry (action, created_at desc, id desc);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists audit_entry, auth_session;`);
    this.addSql(`drop index if exists api_key_previous_key_hash_idx, api_key_created_idx;`);
    this.addSql(`alter table api_key drop column previous_key_hash, drop column previous_key_expires_at;`);
    this.addSql(`alter table contact drop column deactivated_at;`);
    this.addSql(`alter table app_user drop column deactivated_at;`);
  }
}
