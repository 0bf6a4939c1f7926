import { Migration } from '@mikro-orm/migrations';

/**
 * One-time tokens sent by mail: invitations (set a first password) and password resets. Only the
 * SHA-256 of a token is kept. A staff member invited by mail has no password until the invitation is
 * accepted, so `app_user.password_hash` may now be null (login refuses such an account as it refuses a
 * wrong password).
 */
export class Migration20261206110500_account_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table account_token (
      id uuid primary key,
      created_at timestamptz not null,
      purpose varchar(16) not null check (purpose in ('INVITATION', 'PASSWORD_RESET')),
      user_id uuid null references app_user (id) on delete cascade,
      contact_id uuid null references contact (id) on delete cascade,
      token_hash varchar(64) not null,
      expires_at timestamptz not null,
      used_at timestamptz null,
      check ((user_id is null) <> (contact_id is null))
    );`);
    this.addSql(`create unique index account_token_hash_idx on account_token (token_hash);`);
    this.addSql(`create index account_token_user_idx on account_token (user_id) where user_id is not null and used_at is null;`);
    this.addSql(`create index account_token_contact_idx on account_token (contact_id) where contact_id is not null and used_at is null;`);
    this.addSql(`alter table app_user alter column password_hash drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table account_token;`);
    this.addSql(`update app_user set password_hash = '!' where password_hash is null;`);
    this.addSql(`alter table app_user alter column password_hash set not null;`);
  }
}
