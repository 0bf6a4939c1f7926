import { Migration } from '@mikro-orm/migrations';

/**
 * A monitoring alert's `dedupKey` belongs to the caller that sent it (`dedup_owner`, written like the
 * owner of an idempotency key): another integration sending the same key opens its own ticket and
 * never lands on, or reads, this one. One open ticket per caller and key.
 *
 * Tickets opened before this migration get their owner from the API key named on their CREATED entry
 * when exactly one key has that name; the others keep no owner, so the next alert for them opens a
 * new ticket instead of guessing whose it was.
 */
export class Migration20261206050000_dedup_per_caller extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ticket add column dedup_owner varchar(80);`);
    this.addSql(`update ticket t set dedup_owner = 'apiKey:' || k.id
      from ticket_event e, api_key k
      where t.dedup_key is not null and e.ticket_id = t.id and e.type = 'CREATED' and k.name = e.details->>'apiKey'
        and (select count(*) from api_key same where same.name = k.name) = 1;`);
    this.addSql(`drop index ticket_dedup_key_idx;`);
    this.addSql(`create unique index ticket_dedup_key_idx on ticket (dedup_owner, dedup_key) where dedup_key is not null and status <> 'CLOSED';`);
  }

  override async down(): Promise<void> {
    // Owners' keys may collide once the owner is gone: all but the newest open ticket per key stop taking repeats.
    this.addSql(`update ticket t set dedup_key = null
      where t.dedup_key is not null and t.status <> 'CLOSED'
        and exists (select 1 from ticket newer where newer.dedup_key = t.dedup_key and newer.status <> 'CLOSED'
                    and (newer.created_at, newer.id) > (t.created_at, t.id));`);
    this.addSql(`drop index ticket_dedup_key_idx;`);
    this.addSql(`create unique index ticket_dedup_key_idx on ticket (dedup_key) where dedup_key is not null and status <> 'CLOSED';`);
    this.addSql(`alter table ticket drop column dedup_owner;`);
  }
}
