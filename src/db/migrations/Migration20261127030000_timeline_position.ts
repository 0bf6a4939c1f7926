import { Migration } from '@mikro-orm/migrations';

/**
 * A position on the whole timeline, in commit order: clients resume a subscription from the last
 * position they saw. Writers take one advisory lock before inserting entries (see
 * TimelinePublisher), so a later position never commits before an earlier one.
 */
export class Migration20261127030000_timeline_position extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence timeline_position_seq;`);
    this.addSql(`alter table ticket_event add column position bigint not null default nextval('timeline_position_seq');`);
    this.addSql(`alter sequence timeline_position_seq owned by ticket_event.position;`);
    this.addSql(`create unique index ticket_event_position_idx on ticket_event (position);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table ticket_event drop column position;`);
  }
}
