import { Migration } from '@mikro-orm/migrations';

/**
 * Merged tickets, links between tickets, and problems (issue 21, items 1–3).
 *
 * - `ticket.merged_into_id`: set while a ticket is merged into another (null again after an unmerge).
 * - `ticket_merge`: one row per merge of a source, with what the merge moved and what it replaced, so
 *   `unmergeTicket` can put it back; at most one merge per source is in force (`undone_at is null`).
 * - `ticket_link`: one link per pair of tickets, stored from the side that was named first
 *   (`ticket_id` PARENT_OF / DUPLICATE_OF / RELATED `other_id`).
 * - `problem` and `problem_ticket`: an underlying cause and the tickets it explains.
 */
export class Migration20261207050000_merge_links_problems extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ticket add column merged_into_id uuid null references ticket (id) on delete set null;`);
    this.addSql(`create index ticket_merged_into_idx on ticket (merged_into_id) where merged_into_id is not null;`);
    this.addSql(`create table ticket_merge (
      id uuid primary key,
      created_at timestamptz not null,
      source_id uuid not null references ticket (id) on delete cascade,
      target_id uuid not null references ticket (id) on delete cascade,
      actor_id uuid null references app_user (id) on delete set null,
      note text null,
      status_before text not null,
      resolved_at_before timestamptz null,
      closed_at_before timestamptz null,
      moved_comment_ids uuid[] not null default '{}',
      moved_attachment_ids uuid[] not null default '{}',
      added_tag_ids uuid[] not null default '{}',
      contact_given boolean not null default false,
      undone_at timestamptz null,
      check (source_id <> target_id)
    );`);
    this.addSql(`create unique index ticket_merge_source_idx on ticket_merge (source_id) where undone_at is null;`);
    this.addSql(`create index ticket_merge_target_idx on ticket_merge (target_id) where undone_at is null;`);
    this.addSql(`create table ticket_link (
      id uuid primary key,
      created_at timestamptz not null,
      ticket_id uuid not null references ticket (id) on delete cascade,
      other_id uuid not null references ticket (id) on delete cascade,
      kind text not null check (kind in ('RELATED', 'DUPLICATE_OF', 'PARENT_OF')),
      actor_id uuid null references app_user (id) on delete set null,
      check (ticket_id <> other_id)
    );`);
    this.addSql(`create unique index ticket_link_pair_idx on ticket_link (least(ticket_id, other_id), greatest(ticket_id, other_id));`);
    this.addSql(`create index ticket_link_ticket_idx on ticket_link (ticket_id);`);
    this.addSql(`create index ticket_link_other_idx on ticket_link (other_id);`);
    this.addSql(`create table problem (
      id uuid primary key,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      title varchar(200) not null,
      status text not null check (status in ('INVESTIGATING', 'KNOWN_ERROR', 'FIXED')),
      root_cause text null,
      creator_id uuid null references app_user (id) on delete set null,
      fixed_at timestamptz null,
      version integer not null default 1
    );`);
    this.addSql(`create index problem_status_idx on problem (status, id);`);
    this.addSql(`create table problem_ticket (
      problem_id uuid not null references problem (id) on delete cascade,
      ticket_id uuid not null references ticket (id) on delete cascade,
      primary key (problem_id, ticket_id)
    );`);
    this.addSql(`create index problem_ticket_ticket_idx on problem_ticket (ticket_id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table problem_ticket;`);
    this.addSql(`drop table problem;`);
    this.addSql(`drop table ticket_link;`);
    this.addSql(`drop table ticket_merge;`);
    this.addSql(`alter table ticket drop column merged_into_id;`);
  }
}
