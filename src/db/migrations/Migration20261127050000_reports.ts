import { Migration } from '@mikro-orm/migrations';

/**
 * Reports and satisfaction. Each ticket carries the outcome figures of its timeline, written in the
 * same transaction as the entry that settles them (first response, resolution, reopen): clock times
 * less paused time, wall-clock and on the policy's calendar. Ratings have a table of their own.
 * Indexes serve the report ranges (created, first responded, resolved, rated, status transitions).
 */
export class Migration20261127050000_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ticket
      add column sla_paused_wall_seconds integer not null default 0,
      add column sla_clock_seconds integer not null default 0,
      add column sla_clock_mark timestamptz,
      add column reopen_count integer not null default 0,
      add column first_response_seconds integer,
      add column first_response_business_seconds integer,
      add column resolution_seconds integer,
      add column resolution_business_seconds integer,
      add column satisfaction_token varchar(64) unique,
      add column satisfaction_score smallint;`);
    this.addSql(`create table satisfaction_rating (
      ticket_id uuid primary key references ticket (id) on delete cascade,
      score smallint not null check (score between 1 and 5),
      comment text,
      rated_at timestamptz not null,
      contact_id uuid references contact (id) on delete set null
    );`);
    this.addSql(`create index satisfaction_rating_rated_idx on satisfaction_rating (rated_at);`);
    // Covering indexes: a report reads its period (and a business's or an agent's share of it) from the
    // index alone, in parallel, without visiting the wide ticket rows.
    const dims = 'status, priority, channel, assignee_id, business_id';
    const targets = 'first_responded_at, first_response_breached_at, first_response_due_at, resolved_at, resolution_breached_at, due_at, sla_paused_since';
    const resolution = 'resolution_seconds, resolution_business_seconds, resolution_breached_at, satisfaction_score';
    const firstResponse = 'first_response_seconds, first_response_business_seconds';
    this.addSql(`create index ticket_created_report_idx on ticket (created_at) include (${dims}, ${targets});`);
    this.addSql(`create index ticket_business_report_idx on ticket (business_id, created_at) include (${dims}, ${targets});`);
    this.addSql(`create index ticket_assignee_report_idx on ticket (assignee_id, created_at) include (${dims}, ${targets});`);
    this.addSql(`create index ticket_resolved_idx on ticket (resolved_at) include (${dims}, ${resolution}) where resolved_at is not null;`);
    this.addSql(`create index ticket_business_resolved_idx on ticket (business_id, resolved_at) include (${dims}, ${resolution}) where resolved_at is not null;`);
    this.addSql(`create index ticket_assignee_resolved_idx on ticket (assignee_id, resolved_at) include (${dims}, ${resolution}) where resolved_at is not null;`);
    this.addSql(`create index ticket_first_responded_idx on ticket (first_responded_at) include (${dims}, ${firstResponse}) where first_responded_at is not null;`);
    this.addSql(`create index ticket_business_first_responded_idx on ticket (business_id, first_responded_at) include (${dims}, ${firstResponse})
      where first_responded_at is not null;`);
    this.addSql(`create index ticket_assignee_first_responded_idx on ticket (assignee_id, first_responded_at) include (${dims}, ${firstResponse})
      where first_responded_at is not null;`);
    // Recurring titles: the newest tickets of a title, case-blind.
    this.addSql(`create index ticket_title_lower_idx on ticket (lower(title), created_at);`);
    this.addSql(`create index ticket_open_idx on ticket (created_at) where status not in ('RESOLVED', 'CLOSED');`);
    // Moves into and out of RESOLVED: the resolved series and the backlog walk read only these, by time or by ticket.
    const resolutionMove = `type = 'STATUS_CHANGED' and (to_status = 'RESOLVED' or from_status = 'RESOLVED')`;
    this.addSql(`create index ticket_event_resolution_idx on ticket_event (created_at) include (ticket_id, from_status, to_status) where ${resolutionMove};`);
    this.addSql(`create index ticket_event_resolution_ticket_idx on ticket_event (ticket_id) include (created_at, from_status, to_status) where ${resolutionMove};`);
    this.addSql(`create index ticket_event_assigned_idx on ticket_event (created_at) include (ticket_id, details) where type = 'ASSIGNED';`);
    this.addSql(`create index ticket_event_assigned_ticket_idx on ticket_event (ticket_id) include (created_at, details) where type = 'ASSIGNED';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists ticket_event_resolution_idx, ticket_event_resolution_ticket_idx, ticket_event_assigned_idx, ticket_first_responded_idx,
      ticket_resolved_idx, ticket_business_resolved_idx, ticket_assignee_resolved_idx, ticket_open_idx, ticket_created_report_idx,
      ticket_business_report_idx, ticket_assignee_report_idx, ticket_business_first_responded_idx, ticket_assignee_first_responded_idx,
      ticket_title_lower_idx, ticket_event_assigned_ticket_idx;`);
    this.addSql(`drop table if exists satisfaction_rating;`);
    this.addSql(`alter table ticket drop column sla_paused_wall_seconds, drop column sla_clock_seconds, drop column sla_clock_mark, drop column reopen_count, drop column first_response_seconds,
      drop column first_response_business_seconds, drop column resolution_seconds, drop column resolution_business_seconds,
      drop column satisfaction_token, drop column satisfaction_score;`);
  }
}
