import { Migration } from '@mikro-orm/migrations';

/**
 * The workflow: SLA policies (one per priority) and the business-hours calendar, the SLA clock
 * columns of a ticket, the ticket version on each timeline entry, and follow-ups.
 */
export class Migration20261127010000_workflow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table business_calendar (
      id smallint primary key default 1 check (id = 1),
      time_zone text not null,
      working_days smallint[] not null,
      opens_at varchar(5) not null,
      closes_at varchar(5) not null,
      always_open boolean not null,
      updated_at timestamptz not null
    );`);
    this.addSql(`insert into business_calendar values (1, 'UTC', '{1,2,3,4,5}', '09:00', '17:00', false, now());`);

    // A business day is the calendar's 8 working hours: 1 business day = 480 minutes of business time.
    this.addSql(`create table sla_policy (
      priority text primary key check (priority in ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
      first_response_minutes integer not null check (first_response_minutes > 0),
      resolution_minutes integer not null check (resolution_minutes > 0),
      business_hours boolean not null,
      pause_on_third_party boolean not null,
      updated_at timestamptz not null
    );`);
    this.addSql(`insert into sla_policy values
      ('URGENT', 60, 240, false, false, now()),
      ('HIGH', 240, 480, true, false, now()),
      ('MEDIUM', 480, 1440, true, false, now()),
      ('LOW', 1440, 2400, true, false, now());`);

    this.addSql(`alter table ticket
      add column due_at_manual boolean not null default false,
      add column first_response_due_at timestamptz,
      add column first_responded_at timestamptz,
      add column sla_paused_since timestamptz,
      add column sla_paused_seconds integer not null default 0,
      add column first_response_breached_at timestamptz,
      add column resolution_breached_at timestamptz;`);
    // Overdue means: past due, not finished, clock running. The filter uses exactly this predicate.
    this.addSql(`drop index ticket_overdue_idx;`);
    this.addSql(`create index ticket_overdue_idx on ticket (due_at)
      where status not in ('RESOLVED', 'CLOSED') and sla_paused_since is null;`);
    this.addSql(`create index ticket_first_response_idx on ticket (first_response_due_at)
      where first_responded_at is null and first_response_breached_at is null and sla_paused_since is null;`);
    this.addSql(`create index ticket_auto_close_idx on ticket (resolved_at) where status = 'RESOLVED';`);

    this.addSql(`alter table ticket_event add column ticket_version integer;`);

    this.addSql(`create table follow_up (
      id uuid primary key,
      created_at timestamptz not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      owner_id uuid not null references app_user (id) on delete cascade,
      due_at timestamptz not null,
      note text not null,
      completed_at timestamptz,
      completed_by_id uuid references app_user (id) on delete set null,
      completion_note text
    );`);
    this.addSql(`create index follow_up_owner_due_idx on follow_up (owner_id, due_at) where completed_at is null;`);
    this.addSql(`create index follow_up_ticket_idx on follow_up (ticket_id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists follow_up, sla_policy, business_calendar;`);
    this.addSql(`alter table ticket_event drop column ticket_version;`);
    this.addSql(`drop index if exists ticket_overdue_idx, ticket_first_response_idx, ticket_auto_close_idx;`);
    this.addSql(`alter table ticket drop column due_at_manual, drop column first_response_due_at,
      drop column first_responded_at, drop column sla_paused_since, drop column sla_paused_seconds,
      drop column first_response_breached_at, drop column resolution_breached_at;`);
    this.addSql(`create index ticket_overdue_idx on ticket (due_at) where status not in ('RESOLVED', 'CLOSED');`);
  }
}
