import { Migration } from '@mikro-orm/migrations';

/**
 * The core schema: users, API keys, businesses, contacts, tags, tickets, comments and the timeline.
 * Written by hand so the indexes that serve `tickets(filter:, orderBy:)` are explicit: keyset
 * orderings end in `id`, the overdue filter has a partial index, and search uses trigram indexes.
 */
export class Migration20261127000000_core extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(`create table app_user (
      id uuid primary key,
      created_at timestamptz not null,
      name varchar(200) not null,
      email varchar(320) not null unique,
      role text not null check (role in ('ADMIN', 'AGENT')),
      password_hash text not null
    );`);

    this.addSql(`create table api_key (
      id uuid primary key,
      created_at timestamptz not null,
      name varchar(200) not null,
      prefix varchar(20) not null,
      key_hash varchar(64) not null unique,
      scopes text[] not null,
      created_by_id uuid not null references app_user (id) on delete cascade,
      last_used_at timestamptz,
      revoked_at timestamptz
    );`);

    this.addSql(`create table business (
      id uuid primary key,
      created_at timestamptz not null,
      name varchar(200) not null,
      domain text,
      account_manager_id uuid references app_user (id) on delete set null
    );`);
    this.addSql(`create index business_name_idx on business (lower(name), id);`);
    this.addSql(`create index business_name_trgm_idx on business using gin (name gin_trgm_ops);`);
    this.addSql(`create index business_domain_idx on business (lower(domain));`);
    this.addSql(`create index business_account_manager_idx on business (account_manager_id);`);

    this.addSql(`create table contact (
      id uuid primary key,
      created_at timestamptz not null,
      business_id uuid not null references business (id) on delete cascade,
      name varchar(200) not null,
      email varchar(320) not null unique,
      phone text,
      password_hash text
    );`);
    this.addSql(`create index contact_business_idx on contact (business_id);`);

    this.addSql(`create table tag (
      id uuid primary key,
      created_at timestamptz not null,
      name varchar(50) not null
    );`);
    this.addSql(`create unique index tag_name_lower_idx on tag (lower(name));`);

    this.addSql(`create sequence ticket_number_seq start with 1000;`);
    this.addSql(`create table ticket (
      id uuid primary key,
      created_at timestamptz not null,
      number integer not null default nextval('ticket_number_seq') unique,
      title varchar(200) not null,
      description text not null,
      status text not null check (status in
        ('UNASSIGNED', 'OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'WAITING_ON_THIRD_PARTY', 'RESOLVED', 'CLOSED')),
      priority text not null check (priority in ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
      priority_rank smallint generated always as
        (case priority when 'LOW' then 0 when 'MEDIUM' then 1 when 'HIGH' then 2 else 3 end) stored,
      channel text not null check (channel in ('WEB_FORM', 'EMAIL', 'PHONE', 'STAFF', 'MONITORING', 'API')),
      updated_at timestamptz not null,
      due_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      resolution_notes text,
      business_id uuid references business (id) on delete set null,
      contact_id uuid references contact (id) on delete set null,
      assignee_id uuid references app_user (id) on delete set null,
      creator_id uuid references app_user (id) on delete set null,
      submitter_name text,
      submitter_email text,
      submitted_company_name text,
      submitter_phone text,
      reference varchar(40) unique,
      version integer not null default 1
    );`);
    this.addSql(`alter sequence ticket_number_seq owned by ticket.number;`);
    // Orderings (keyset: the sort key, then id).
    this.addSql(`create index ticket_created_idx on ticket (created_at, id);`);
    this.addSql(`create index ticket_updated_idx on ticket (updated_at, id);`);
    this.addSql(`create index ticket_due_idx on ticket (due_at, id);`);
    this.addSql(`create index ticket_priority_idx on ticket (priority_rank, id);`);
    // Filters.
    this.addSql(`create index ticket_status_idx on ticket (status, created_at);`);
    this.addSql(`create index ticket_business_idx on ticket (business_id, created_at);`);
    this.addSql(`create index ticket_assignee_idx on ticket (assignee_id, status);`);
    this.addSql(`create index ticket_contact_idx on ticket (contact_id);`);
    this.addSql(`create index ticket_overdue_idx on ticket (due_at) where status not in ('RESOLVED', 'CLOSED');`);
    this.addSql(`create index ticket_title_trgm_idx on ticket using gin (title gin_trgm_ops);`);
    this.addSql(`create index ticket_description_trgm_idx on ticket using gin (description gin_trgm_ops);`);

    this.addSql(`create table ticket_tag (
      ticket_id uuid not null references ticket (id) on delete cascade,
      tag_id uuid not null references tag (id) on delete cascade,
      primary key (ticket_id, tag_id)
    );`);
    this.addSql(`create index ticket_tag_tag_idx on ticket_tag (tag_id);`);

    this.addSql(`create table comment (
      id uuid primary key,
      created_at timestamptz not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      body text not null,
      is_internal boolean not null default false,
      author_id uuid references app_user (id) on delete set null,
      author_contact_id uuid references contact (id) on delete set null,
      author_name varchar(200) not null
    );`);
    this.addSql(`create index comment_ticket_idx on comment (ticket_id, id);`);

    this.addSql(`create table ticket_event (
      id uuid primary key,
      created_at timestamptz not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      type text not null,
      actor_id uuid references app_user (id) on delete set null,
      actor_contact_id uuid references contact (id) on delete set null,
      from_status text,
      to_status text,
      reason text,
      is_internal boolean not null default false,
      details jsonb not null default '{}'
    );`);
    this.addSql(`create index ticket_event_ticket_idx on ticket_event (ticket_id, id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists ticket_event, comment, ticket_tag, ticket, tag, contact, business, api_key, app_user cascade;`);
    this.addSql(`drop sequence if exists ticket_number_seq;`);
  }
}
