import { Migration } from '@mikro-orm/migrations';

/**
 * A status move is always visible to the ticket's customer; only an internal reason is hidden. Until
 * now a move with a reason the customer was not told made the whole timeline entry internal, so the
 * customer never saw its ticket move. The reason's own flag (`reason_internal`) takes that role, and
 * the resolution notes of a resolution the customer was not told are flagged the same way.
 */
export class Migration20261206020000_visible_moves extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ticket_event add column reason_internal boolean not null default false;`);
    this.addSql(`update ticket_event set reason_internal = true, is_internal = false where type = 'STATUS_CHANGED' and is_internal;`);
    this.addSql(`alter table ticket add column resolution_notes_internal boolean not null default false;`);
    // The notes are those of the ticket's last move to RESOLVED.
    this.addSql(`
      update ticket t set resolution_notes_internal = true
      where t.resolution_notes is not null and (
        select e.reason_internal from ticket_event e
        where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and e.to_status = 'RESOLVED'
        order by e.position desc limit 1
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`update ticket_event set is_internal = true where type = 'STATUS_CHANGED' and reason_internal;`);
    this.addSql(`alter table ticket_event drop column reason_internal;`);
    this.addSql(`alter table ticket drop column resolution_notes_internal;`);
  }
}
