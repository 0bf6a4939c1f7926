import { Migration } from '@mikro-orm/migrations';

/** Assignment: agent capacity, availability and expertise, and the admin-editable assignment policy. */
export class Migration20261127040000_assignment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user
      add column capacity integer not null default 20 check (capacity >= 0),
      add column availability text not null default 'AVAILABLE' check (availability in ('AVAILABLE', 'AWAY')),
      add column last_assigned_at timestamptz;`);
    this.addSql(`create table agent_expertise (
      user_id uuid not null references app_user (id) on delete cascade,
      tag_id uuid not null references tag (id) on delete cascade,
      primary key (user_id, tag_id)
    );`);
    this.addSql(`create index agent_expertise_tag_idx on agent_expertise (tag_id);`);
    this.addSql(`create table assignment_policy (
      id smallint primary key default 1 check (id = 1),
      auto_assign_new boolean not null,
      auto_assign_linked boolean not null,
      updated_at timestamptz not null
    );`);
    this.addSql(`insert into assignment_policy values (1, false, false, now());`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists assignment_policy, agent_expertise;`);
    this.addSql(`alter table app_user drop column capacity, drop column availability, drop column last_assigned_at;`);
  }
}
